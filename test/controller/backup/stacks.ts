/**
 * The backup suites' stacks run by the operator: a small MariaDB stack, and SQL on one of its
 * database pods as the admin user over TLS with the stack's CA (the servers require secure transport).
 */
import mysql from 'mysql2/promise';
import { componentSelector, names } from '../../../src/api/labels.js';
import { usesBackupVolume } from '../../../src/render/backup-store.js';
import type { WebStack } from '../../../src/api/types.js';
import type { WebStackBackup } from '../../../src/api/backup-types.js';
import { resourceFor, WEBSTACK, WEBSTACKBACKUP } from '../../../src/controller/resources.js';
import { eventually } from '../../support/eventually.js';
import { credentialsFromSecretData } from '../../../src/render/credentials.js';
import type { DatabaseEnv } from '../database/harness.js';

const SECRET = resourceFor('v1', 'Secret');
const POD = resourceFor('v1', 'Pod');

/** A stack with no app pod and an asynchronous MariaDB pair, plus `database`'s settings, in `namespace`. */
export function backupTestStack(namespace: string, name: string, database: NonNullable<WebStack['spec']['database']> = {}): WebStack {
  return {
    apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStack', metadata: { name, namespace },
    spec: {
      loadBalancer: { replicas: 1 },
      apps: [{ name: 'web', image: 'ghcr.io/acme/shop:1.4', replicas: 0 }],
      database: { engine: 'mariadb', replicas: 2, replication: { mode: 'async' }, ...database },
      networkPolicy: { enabled: false },
    },
  };
}

/** Rows of `sql` on `pod` of stack `name` ('primary': the recorded primary), through its pod address. */
export async function queryStackPod(env: DatabaseEnv, namespace: string, name: string, pod: string, sql: string): Promise<unknown[]> {
  const target = pod === 'primary' ? (await env.client.get<WebStack>(WEBSTACK, namespace, name))!.status!.database!.primary! : pod;
  const pods = await env.client.list<{ metadata: { name: string }; status?: { podIP?: string } }>(POD, namespace);
  const host = pods.items.find((p) => p.metadata.name === target)?.status?.podIP;
  const secret = await env.client.get<{ data?: Record<string, string> }>(SECRET, namespace, names.mysqlSecret(name));
  const c = credentialsFromSecretData(secret!.data);
  const caSecret = await env.client.get<{ data: Record<string, string> }>(SECRET, namespace, names.mysqlCaSecret(name));
  const ca = Buffer.from(caSecret!.data['ca.crt'], 'base64').toString('utf8');
  const conn = await mysql.createConnection({ host, port: 3306, user: c.adminUser, password: c.adminPassword, connectTimeout: 2000,
    ssl: { ca, rejectUnauthorized: true } });
  try {
    return (await conn.query(sql))[0] as unknown[];
  } finally {
    await conn.end();
  }
}

/** True once the stack's backup store has a Ready pod. */
async function backupStoreReady(env: DatabaseEnv, namespace: string, name: string): Promise<boolean> {
  const selector = Object.entries(componentSelector(name, 'backup-store')).map(([k, v]) => `${k}=${v}`).join(',');
  const pods = await env.client.list<{ status?: { conditions?: { type: string; status: string }[] } }>(POD, namespace, selector);
  return pods.items.some((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
}

/** Stack `name` once bootstrapped with both of its instances ready, and its backup store when it backs up to its volume. */
export async function stackHealthy(env: DatabaseEnv, namespace: string, name: string): Promise<WebStack> {
  return eventually(`${name} bootstrapped with every instance ready`, async () => {
    const ws = await env.client.get<WebStack>(WEBSTACK, namespace, name);
    const db = ws?.status?.database;
    if (!db?.bootstrapped || db.instances?.length !== 2 || !db.instances.every((i) => i.ready)) return undefined;
    if (ws && usesBackupVolume(ws) && !await backupStoreReady(env, namespace, name)) return undefined;
    return ws;
  }, 90_000, 200) as Promise<WebStack>;
}

/** WebStackBackup `name` once it has ended, either way. */
export async function backupEnded(env: DatabaseEnv, namespace: string, name: string): Promise<WebStackBackup> {
  return eventually(`backup ${name} done`, async () => {
    const b = await env.client.get<WebStackBackup>(WEBSTACKBACKUP, namespace, name);
    return b?.status?.phase === 'Completed' || b?.status?.phase === 'Failed' ? b : undefined;
  }, 60_000, 200) as Promise<WebStackBackup>;
}

/** Stack `name` once its restore has ended, either way. */
export async function restoreEnded(env: DatabaseEnv, namespace: string, name: string): Promise<WebStack> {
  return eventually(`restore into ${name} done`, async () => {
    const ws = await env.client.get<WebStack>(WEBSTACK, namespace, name);
    const phase = ws?.status?.restore?.phase;
    return phase === 'Completed' || phase === 'Failed' ? ws : undefined;
  }, 120_000, 200) as Promise<WebStack>;
}
