/**
 * The volume backup target of a stack (spec.database.backup.storage.volume): the PersistentVolumeClaim
 * `<stack>-backups`, and the backup store that serves it to the operator, a one-pod Deployment of the
 * operator's own image (`webstack-operator store`, Recreate: the claim is ReadWriteOnce) with its
 * token's Secret. The claim carries the stack's labels but no owner: deleting the stack keeps the
 * backups, as they exist to outlive mistakes; a stack of the same name finds them again.
 */
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPersistentVolumeClaimSpec } from 'kubernetes-models/v1/PersistentVolumeClaimSpec';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IDeploymentSpec } from 'kubernetes-models/apps/v1/DeploymentSpec';
import { DEFAULT_BACKUP_VOLUME_SIZE } from '../api/backup-types.js';
import { canonicalQuantity } from '../api/quantity.js';
import { componentSelector, names, stackLabels } from '../api/labels.js';
import type { WebStack } from '../api/types.js';
import { STORE_MOUNT_PATH, STORE_PORT, STORE_PORT_NAME, STORE_PATHS, STORE_TOKEN_ENV, STORE_TOKEN_KEY } from '../backup/store-protocol.js';
import { ownedMetadata, type KubeObject } from './object.js';

/** The operator image's own user (its Dockerfile); the claim is made writable to it through fsGroup. */
const STORE_UID = 65532;

export interface BackupStoreInputs {
  /** The store's token: from its Secret, a new one (newStoreToken) only when there is none. */
  token: string;
  /** The operator's own image; without it no store can run. */
  image?: string;
}

/** True when the stack keeps its backups on its own volume (the default target). */
export function usesBackupVolume(ws: WebStack): boolean {
  const backup = ws.spec.database?.backup;
  return !!backup && !backup.storage?.s3;
}

export function renderBackupStore(ws: WebStack, inputs: BackupStoreInputs): KubeObject[] {
  if (!usesBackupVolume(ws) || !inputs.image) return [];
  const stack = ws.metadata.name;
  const volume = ws.spec.database?.backup?.storage?.volume ?? {};
  const labels = stackLabels(stack, 'backup-store');
  const claim: IPersistentVolumeClaimSpec = {
    accessModes: ['ReadWriteOnce'],
    resources: { requests: { storage: canonicalQuantity(volume.size ?? DEFAULT_BACKUP_VOLUME_SIZE) } },
    ...(volume.storageClassName ? { storageClassName: volume.storageClassName } : {}),
  };
  const owned = ownedMetadata(ws, names.backupVolume(stack), labels);
  delete owned.ownerReferences;
  const container: IContainer = {
    name: 'store',
    image: inputs.image,
    command: ['webstack-operator', 'store'],
    args: [`--port=${STORE_PORT}`, `--dir=${STORE_MOUNT_PATH}`],
    env: [{ name: STORE_TOKEN_ENV, valueFrom: { secretKeyRef: { name: names.backupStoreSecret(stack), key: STORE_TOKEN_KEY } } }],
    ports: [{ name: STORE_PORT_NAME, containerPort: STORE_PORT, protocol: 'TCP' }],
    readinessProbe: { httpGet: { path: STORE_PATHS.health, port: STORE_PORT_NAME }, periodSeconds: 5 },
    resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: '256Mi' } },
    volumeMounts: [{ name: 'backups', mountPath: STORE_MOUNT_PATH }],
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
  };
  const pod: IPodSpec = {
    // The store never talks to the API: no token to steal from its pod.
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    securityContext: { runAsUser: STORE_UID, runAsGroup: STORE_UID, fsGroup: STORE_UID, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [container],
    volumes: [{ name: 'backups', persistentVolumeClaim: { claimName: names.backupVolume(stack) } }],
  };
  const deployment: IDeploymentSpec = {
    replicas: 1,
    // The claim is ReadWriteOnce: the old pod lets go of it before the new one mounts it.
    strategy: { type: 'Recreate' },
    selector: { matchLabels: componentSelector(stack, 'backup-store') },
    template: { metadata: { labels }, spec: pod },
  };
  return [
    { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: owned, spec: claim },
    {
      apiVersion: 'v1', kind: 'Secret', metadata: ownedMetadata(ws, names.backupStoreSecret(stack), labels),
      type: 'Opaque', data: { [STORE_TOKEN_KEY]: Buffer.from(inputs.token).toString('base64') },
    },
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: ownedMetadata(ws, names.backupStore(stack), labels), spec: deployment },
  ];
}
