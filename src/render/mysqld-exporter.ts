/**
 * The mysqld-exporter sidecar of each database pod: its container, its volume and the Secret that
 * holds its client configuration. It logs in as its own account (EXPORTER_USER, created by the
 * database manager) over TLS to the server beside it, checking the server's certificate against
 * the stack's CA: it dials `localhost`, a name the server certificate carries (src/pki/names.ts).
 */
import { names, stackLabels } from '../api/labels.js';
import type { WebStack } from '../api/types.js';
import { TLS_SECRET_KEYS } from '../pki/database-certificates.js';
import { EXPORTER_USER, type DatabaseCredentials } from './credentials.js';
import { MYSQL_PORT } from './mysql-config.js';
import { ownedMetadata, type KubeObject } from './object.js';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IVolume } from 'kubernetes-models/v1/Volume';

/** The version the sandbox's Debian package (0.14) is checked against; later ones read the same my.cnf. */
export const DEFAULT_MYSQLD_EXPORTER_IMAGE = 'prom/mysqld-exporter:v0.17.2';
export const EXPORTER_CONTAINER = 'mysqld-exporter';
export const EXPORTER_PORT = 9104;
/** The port the chart's PodMonitor scrapes. */
export const EXPORTER_PORT_NAME = 'mysql-metrics';
export const EXPORTER_CONFIG_DIR = '/etc/mysqld-exporter';
export const EXPORTER_CONFIG_KEY = 'my.cnf';
const EXPORTER_VOLUME = 'mysqld-exporter';
/** The host the exporter dials: the server in its own pod. */
export const EXPORTER_SERVER_HOST = 'localhost';

/** The exporter's client configuration: the only place its password is written out. */
export function renderExporterConfig(credentials: DatabaseCredentials): string {
  return [
    '[client]',
    `user = ${EXPORTER_USER}`,
    `password = ${credentials.exporterPassword}`,
    `host = ${EXPORTER_SERVER_HOST}`,
    `port = ${MYSQL_PORT}`,
    `ssl-ca = ${EXPORTER_CONFIG_DIR}/${TLS_SECRET_KEYS.caBundle}`,
    '',
  ].join('\n');
}

export function renderExporterSecret(ws: WebStack, credentials: DatabaseCredentials): KubeObject {
  const stack = ws.metadata.name;
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: ownedMetadata(ws, names.mysqlExporterSecret(stack), stackLabels(stack, 'database')),
    type: 'Opaque',
    data: { [EXPORTER_CONFIG_KEY]: Buffer.from(renderExporterConfig(credentials), 'utf8').toString('base64') },
  };
}

/** Its configuration and the CA bundle in one directory; never the server's key. */
export function exporterVolume(stack: string): IVolume {
  return {
    name: EXPORTER_VOLUME,
    projected: {
      defaultMode: 0o440,
      sources: [
        { secret: { name: names.mysqlExporterSecret(stack), items: [{ key: EXPORTER_CONFIG_KEY, path: EXPORTER_CONFIG_KEY }] } },
        { secret: { name: names.mysqlTlsSecret(stack), items: [{ key: TLS_SECRET_KEYS.caBundle, path: TLS_SECRET_KEYS.caBundle }] } },
      ],
    },
  };
}

/** No probes: a scrape that fails says so itself (mysql_up 0), and the pod serves SQL either way. */
export function exporterContainer(image: string, securityContext: IContainer['securityContext']): IContainer {
  return {
    name: EXPORTER_CONTAINER,
    image,
    args: [`--config.my-cnf=${EXPORTER_CONFIG_DIR}/${EXPORTER_CONFIG_KEY}`, `--web.listen-address=:${EXPORTER_PORT}`],
    ports: [{ name: EXPORTER_PORT_NAME, containerPort: EXPORTER_PORT, protocol: 'TCP' }],
    resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } },
    volumeMounts: [{ name: EXPORTER_VOLUME, mountPath: EXPORTER_CONFIG_DIR, readOnly: true }],
    securityContext,
  };
}
