/**
 * The database of a stack: Secret, ConfigMap (server config + start script), StatefulSet,
 * the headless, primary and replicas Services, and a PodDisruptionBudget.
 * Pods start without a role label: the operator adds it and moves it on failover.
 */
import { createHash } from 'node:crypto';
import type { ResolvedSpec } from '../api/defaults.js';
import {
  ANNOTATION_CONFIG_CHECKSUM, ANNOTATION_DATABASE_NAME, ANNOTATION_DATABASE_USER, ANNOTATION_ENGINE, componentSelector, LABEL_ROLE, names, ROLE_PRIMARY, ROLE_REPLICA, stackLabels,
} from '../api/labels.js';
import type { DatabaseEngine, WebStack } from '../api/types.js';
import { credentialsToSecretData, SECRET_KEYS, type DatabaseCredentials } from './credentials.js';
import {
  DATA_VOLUME_PATH, DATABASE_CONFIG_DIR, DEFAULT_DATA_DIR, MYSQL_PORT, renderServerConfig, renderStartScript,
  SERVER_CONFIG_KEY, START_SCRIPT_KEY,
} from './mysql-config.js';
import { ownedMetadata, podDisruptionBudget, type KubeObject } from './object.js';
// Types only (erased at build): the compiler checks every field name against the Kubernetes API.
import type { IStatefulSetSpec } from 'kubernetes-models/apps/v1/StatefulSetSpec';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPersistentVolumeClaimSpec } from 'kubernetes-models/v1/PersistentVolumeClaimSpec';
import type { IServiceSpec } from 'kubernetes-models/v1/ServiceSpec';
import { canonicalQuantity } from '../api/quantity.js';
import { canonicalResources } from './resources.js';
import { AGENT_CONTAINER, AGENT_PORT } from '../agent/protocol.js';
import type { DatabaseCertificates } from '../pki/database-certificates.js';
import { DATABASE_TLS_DIR, DATABASE_TLS_VOLUME, databaseTlsVolume, renderDatabaseTlsSecrets } from './database-tls.js';
import { exporterContainer, exporterVolume, renderExporterSecret } from './mysqld-exporter.js';

/** The images' mysql user and group. */
export const DATABASE_UID = 999;
export const DATABASE_CONTAINER = 'mysql';
export const DATABASE_PORT_NAME = 'mysql';
export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';
export const AGENT_PORT_NAME = 'agent';

const adminTool: Record<DatabaseEngine, string> = { mysql: 'mysqladmin', mariadb: 'mariadb-admin' };

/**
 * "The server answers on its own socket": no dependence on the primary or on replication.
 * `ping` succeeds on a running server even when the login is refused, so the account only keeps
 * "access denied" lines out of the server log; the password reaches the client through MYSQL_PWD,
 * not its argv.
 */
function pingCommand(engine: DatabaseEngine): string[] {
  return ['sh', '-c', `MYSQL_PWD="$ADMIN_PASSWORD" exec ${adminTool[engine]} --no-defaults --socket=${DEFAULT_DATA_DIR}/mysqld.sock -u"$ADMIN_USER" ping`];
}

function secretEnv(name: string, secret: string, key: string) {
  return { name, valueFrom: { secretKeyRef: { name: secret, key } } };
}

function checksum(...parts: string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex');
}

export function renderDatabaseSecret(ws: WebStack, credentials: DatabaseCredentials): KubeObject {
  const stack = ws.metadata.name;
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: ownedMetadata(ws, names.mysqlSecret(stack), stackLabels(stack, 'database')),
    type: 'Opaque',
    data: credentialsToSecretData(credentials),
  };
}

function renderDatabaseConfigMap(ws: WebStack, db: ResolvedSpec['database']): KubeObject {
  const stack = ws.metadata.name;
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: ownedMetadata(ws, names.mysqlConfig(stack), stackLabels(stack, 'database')),
    data: { [SERVER_CONFIG_KEY]: renderServerConfig(db), [START_SCRIPT_KEY]: renderStartScript(db.engine) },
  };
}

/**
 * The agent beside the server (the operator's own image): it fences the server by SIGKILL, which
 * needs the pod's shared process namespace, and reads and replaces the data directory, so it runs
 * as the same user with the same volume. It reads the admin credentials to derive its token.
 * No readiness probe: the pod serves SQL whether or not its agent answers.
 */
function agentContainer(image: string, secret: string, securityContext: IContainer['securityContext']): IContainer {
  return {
    name: AGENT_CONTAINER,
    image,
    command: ['webstack-operator', 'agent'],
    args: [`--port=${AGENT_PORT}`, `--data-dir=${DEFAULT_DATA_DIR}`],
    env: [secretEnv('ADMIN_USER', secret, SECRET_KEYS.adminUser), secretEnv('ADMIN_PASSWORD', secret, SECRET_KEYS.adminPassword)],
    ports: [{ name: AGENT_PORT_NAME, containerPort: AGENT_PORT, protocol: 'TCP' }],
    resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: '256Mi' } },
    volumeMounts: [
      { name: 'data', mountPath: DATA_VOLUME_PATH },
      { name: 'tmp', mountPath: '/tmp' },
    ],
    securityContext,
  };
}

/** The images of the sidecars beside the server; each is left out without its image. */
export interface DatabaseSidecars {
  /** The operator's image, run as the agent in each pod; without it, no agent (fences delete the pod). */
  agentImage?: string;
  /** mysqld-exporter's image: the pod's database metrics. */
  exporterImage?: string;
}

function renderStatefulSet(ws: WebStack, db: ResolvedSpec['database'], clusterDomain: string, sidecars: DatabaseSidecars): KubeObject {
  const { agentImage, exporterImage } = sidecars;
  const stack = ws.metadata.name;
  const namespace = ws.metadata.namespace ?? 'default';
  const headless = names.mysqlHeadless(stack);
  const secret = names.mysqlSecret(stack);
  const selector = componentSelector(stack, 'database');
  const ping = pingCommand(db.engine);
  const container: IContainer = {
    name: DATABASE_CONTAINER,
    image: db.image,
    command: ['sh', `${DATABASE_CONFIG_DIR}/${START_SCRIPT_KEY}`],
    env: [
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'REPORT_HOST', value: `$(POD_NAME).${headless}.${namespace}.svc.${clusterDomain}` },
      { name: 'DATA_DIR', value: DEFAULT_DATA_DIR },
      { name: 'TLS_DIR', value: DATABASE_TLS_DIR },
      secretEnv('ADMIN_USER', secret, SECRET_KEYS.adminUser),
      secretEnv('ADMIN_PASSWORD', secret, SECRET_KEYS.adminPassword),
    ],
    ports: [{ name: DATABASE_PORT_NAME, containerPort: MYSQL_PORT, protocol: 'TCP' }],
    // Initializing an empty data directory can take minutes on slow disks. Checked every second
    // while it starts (no cost once started): each instance a rolling update or a rejoin restarts is
    // Ready about a second after it answers, not up to five.
    startupProbe: { exec: { command: ping }, periodSeconds: 1, timeoutSeconds: 5, failureThreshold: 600 },
    readinessProbe: { exec: { command: ping }, periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 2 },
    // Lenient: a server busy with crash recovery or a long query must not be killed for it.
    livenessProbe: { exec: { command: ping }, periodSeconds: 10, timeoutSeconds: 10, failureThreshold: 6 },
    volumeMounts: [
      { name: 'data', mountPath: DATA_VOLUME_PATH },
      { name: 'config', mountPath: DATABASE_CONFIG_DIR, readOnly: true },
      { name: 'tmp', mountPath: '/tmp' },
      { name: DATABASE_TLS_VOLUME, mountPath: DATABASE_TLS_DIR, readOnly: true },
    ],
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    },
  };
  if (db.resources) container.resources = canonicalResources(db.resources);

  const claim: IPersistentVolumeClaimSpec = {
    accessModes: ['ReadWriteOnce'],
    resources: { requests: { storage: canonicalQuantity(db.storage.size) } },
    volumeMode: 'Filesystem',
  };
  if (db.storage.storageClassName) claim.storageClassName = db.storage.storageClassName;

  const spec: IStatefulSetSpec = {
    serviceName: headless,
    replicas: db.replicas,
    // Every instance starts read-only and waits for the operator, so there is nothing to order.
    podManagementPolicy: 'Parallel',
    // The operator rolls template changes itself (src/mysql/rollout.ts): replicas first, then the
    // primary after a switchover. RollingUpdate would restart the primary like a crash: a failover.
    updateStrategy: { type: 'OnDelete' },
    selector: { matchLabels: selector },
    template: {
      metadata: {
        labels: stackLabels(stack, 'database'),
        annotations: { [ANNOTATION_CONFIG_CHECKSUM]: checksum(renderServerConfig(db), renderStartScript(db.engine)) },
      },
      spec: {
        // The server never talks to the API: no token to steal from its pod.
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        terminationGracePeriodSeconds: 60,
        securityContext: {
          runAsUser: DATABASE_UID,
          runAsGroup: DATABASE_UID,
          fsGroup: DATABASE_UID,
          runAsNonRoot: true,
          seccompProfile: { type: 'RuntimeDefault' },
        },
        affinity: {
          podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [{
              weight: 100,
              podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: selector } },
            }],
          },
        },
        ...(agentImage ? { shareProcessNamespace: true } : {}),
        containers: [
          container,
          ...(agentImage ? [agentContainer(agentImage, secret, container.securityContext)] : []),
          ...(exporterImage ? [exporterContainer(exporterImage, container.securityContext)] : []),
        ],
        volumes: [
          { name: 'config', configMap: { name: names.mysqlConfig(stack), defaultMode: 0o444 } },
          { name: 'tmp', emptyDir: {} },
          databaseTlsVolume(stack),
          ...(exporterImage ? [exporterVolume(stack)] : []),
        ],
      },
    },
    // Written as the API server stores a claim template (it defaults one whole, and the list is atomic), so that
    // the StatefulSet holds exactly what was applied and the operator's cache keeps it without its content.
    volumeClaimTemplates: [{ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec: claim, status: { phase: 'Pending' } }],
    // The data goes with the stack (as the StatefulSet's garbage), but a scale-down keeps it for a scale-up.
    persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' },
  };
  const recorded = { [ANNOTATION_ENGINE]: db.engine, [ANNOTATION_DATABASE_NAME]: db.databaseName, [ANNOTATION_DATABASE_USER]: db.user };
  return { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: ownedMetadata(ws, names.mysql(stack), stackLabels(stack, 'database'), recorded), spec };
}

function renderService(ws: WebStack, name: string, selector: Record<string, string>, headless: boolean): KubeObject {
  const stack = ws.metadata.name;
  const spec: IServiceSpec = {
    selector,
    ports: [{ name: DATABASE_PORT_NAME, port: MYSQL_PORT, targetPort: DATABASE_PORT_NAME, protocol: 'TCP' }],
  };
  if (headless) {
    spec.clusterIP = 'None';
    // Instances must resolve each other before they are Ready: replication is set up first.
    spec.publishNotReadyAddresses = true;
  } else {
    spec.type = 'ClusterIP';
  }
  return { apiVersion: 'v1', kind: 'Service', metadata: ownedMetadata(ws, name, stackLabels(stack, 'database')), spec };
}


/**
 * `clusterDomain` names the pods in REPORT_HOST, the address replicas and the operator reach them by;
 * `sidecars` adds the agent and the exporter to each pod.
 */
export function renderDatabase(
  ws: WebStack, spec: ResolvedSpec, credentials: DatabaseCredentials, certificates: DatabaseCertificates | undefined,
  clusterDomain = DEFAULT_CLUSTER_DOMAIN, sidecars: DatabaseSidecars = {},
): KubeObject[] {
  const stack = ws.metadata.name;
  const selector = componentSelector(stack, 'database');
  // With an issuer, cert-manager writes the TLS Secret (render/certificate.ts); without one, the operator's CA signs.
  if (!certificates === !spec.database.tls.issuerRef) {
    throw new Error(`the database certificates come from ${spec.database.tls.issuerRef ? 'cert-manager (database.tls.issuerRef)' : 'the operator'}`);
  }
  return [
    renderDatabaseSecret(ws, credentials),
    ...(certificates ? renderDatabaseTlsSecrets(ws, certificates) : []),
    ...(sidecars.exporterImage ? [renderExporterSecret(ws, credentials)] : []),
    renderDatabaseConfigMap(ws, spec.database),
    renderService(ws, names.mysqlHeadless(stack), selector, true),
    renderService(ws, names.primaryService(stack), { ...selector, [LABEL_ROLE]: ROLE_PRIMARY }, false),
    renderService(ws, names.replicasService(stack), { ...selector, [LABEL_ROLE]: ROLE_REPLICA }, false),
    renderStatefulSet(ws, spec.database, clusterDomain, sidecars),
    podDisruptionBudget(ws, names.mysql(ws.metadata.name), 'database'),
  ];
}
