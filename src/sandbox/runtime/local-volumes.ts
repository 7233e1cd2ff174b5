/**
 * The node's local volume provisioner, as a real cluster's local-path provisioner works: a
 * PersistentVolume for each claim waiting for one, a directory on this node pre-bound to the
 * claim, for the control plane's PV binder to bind. Pure: claims and volumes in, decisions out.
 */
import type { V1PersistentVolume, V1PersistentVolumeClaim } from '@kubernetes/client-node';

/** The annotation that tells the PV controller an external provisioner owns the volume's deletion. */
export const PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
export const PROVISIONER_NAME = 'webstack.dev/sandbox-local';

export function volumeNameFor(claim: V1PersistentVolumeClaim): string {
  return `pvc-${claim.metadata?.uid ?? ''}`;
}

/** Claims that need a volume: pending, bound to none, with no volume of ours made for them yet. */
export function claimsToProvision(claims: V1PersistentVolumeClaim[], volumes: V1PersistentVolume[]): V1PersistentVolumeClaim[] {
  const made = new Set(volumes.map((v) => v.metadata?.name));
  return claims.filter((c) => !c.metadata?.deletionTimestamp && !c.spec?.volumeName
    && (c.status?.phase ?? 'Pending') === 'Pending' && !made.has(volumeNameFor(c)));
}

/** Our volumes whose claim is gone: reclaim policy Delete applies. */
export function volumesToReclaim(volumes: V1PersistentVolume[]): V1PersistentVolume[] {
  return volumes.filter((v) => v.metadata?.annotations?.[PROVISIONED_BY] === PROVISIONER_NAME
    && (v.status?.phase === 'Released' || v.status?.phase === 'Failed') && !v.metadata?.deletionTimestamp);
}

export function provisionedVolume(claim: V1PersistentVolumeClaim, nodeName: string, dir: string): V1PersistentVolume {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: volumeNameFor(claim), annotations: { [PROVISIONED_BY]: PROVISIONER_NAME } },
    spec: {
      capacity: { storage: claim.spec?.resources?.requests?.storage ?? '1Gi' },
      accessModes: claim.spec?.accessModes?.length ? claim.spec.accessModes : ['ReadWriteOnce'],
      storageClassName: claim.spec?.storageClassName ?? '',
      volumeMode: claim.spec?.volumeMode ?? 'Filesystem',
      persistentVolumeReclaimPolicy: 'Delete',
      hostPath: { path: dir, type: 'DirectoryOrCreate' },
      claimRef: {
        apiVersion: 'v1', kind: 'PersistentVolumeClaim',
        namespace: claim.metadata?.namespace, name: claim.metadata?.name, uid: claim.metadata?.uid,
      },
      nodeAffinity: {
        required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [nodeName] }] }] },
      },
    },
  };
}
