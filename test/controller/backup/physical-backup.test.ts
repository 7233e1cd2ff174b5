/**
 * Physical backups through the operator: database pods run the agent beside the server (the
 * sandbox runs the operator's image from these sources), the default method copies a replica with
 * mariadb-backup through its agent into the volume target; a NEW stack is restored from the copy
 * (copied back before its primary's server starts again) and replayed to a point in time.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BACKUP_DATA_FINALIZER } from '../../../src/api/backup-types.js';
import type { WebStack } from '../../../src/api/types.js';
import { PHYSICAL_OBJECT } from '../../../src/backup/locations.js';
import { resourceFor, WEBSTACK, WEBSTACKBACKUP } from '../../../src/controller/resources.js';
import { names } from '../../../src/api/labels.js';
import { credentialsFromSecretData } from '../../../src/render/credentials.js';
import { claimDir } from '../../../src/sandbox/runtime/pod-volumes.js';
import { startDatabaseEnv, type DatabaseEnv } from '../database/harness.js';
import { eventually } from '../../support/eventually.js';
import { backupEnded, backupTestStack, queryStackPod, restoreEnded, stackHealthy } from './stacks.js';

const NS = 'shop';
let env: DatabaseEnv;
let backupDir: string;

const SECRET = resourceFor('v1', 'Secret');
const EVENT = resourceFor('v1', 'Event');

/** Every password in stack `name`'s Secret. */
async function passwords(name: string): Promise<string[]> {
  const c = credentialsFromSecretData((await env.client.get<{ data?: Record<string, string> }>(SECRET, NS, names.mysqlSecret(name)))!.data);
  return [c.adminPassword, c.replicationPassword, c.appPassword];
}

const stack = (name: string, database: NonNullable<WebStack['spec']['database']> = {}) => backupTestStack(NS, name, database);
const query = (name: string, pod: string, sql: string) => queryStackPod(env, NS, name, pod, sql);
const restoreDone = (name: string) => restoreEnded(env, NS, name);
const backupDone = (name: string) => backupEnded(env, NS, name);
const healthy = (name: string) => stackHealthy(env, NS, name);

/** The archived binlog files (not their indexes) under the stack's archive. */
function archivedBinlogs(): string[] {
  const root = path.join(backupDir, 'shop/shop/binlogs');
  return readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => !f.endsWith('.json') && statSync(path.join(root, f)).isFile());
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  env = await startDatabaseEnv(NS, { retryBaseMs: 200, maxAttempts: 3, archiveIntervalMs: 500 }, { agents: true });
  // The stack's backup volume, as the sandbox keeps it: a directory of the runtime's state.
  backupDir = claimDir(env.stateDir, NS, names.backupVolume('shop'));
  await env.startOperator('operator-a');
  await env.client.create(WEBSTACK, NS, stack('shop', { backup: { storage: { volume: {} }, pointInTimeRecovery: true } }));
  await healthy('shop');
}, 120_000);

afterAll(async () => {
  await env?.close();
});

describe('physical backups through the agent', () => {
  it('copies a replica with mariadb-backup into the volume target, compressed, at its GTID position', async () => {
    await query('shop', 'primary', 'CREATE TABLE app.orders (id INT PRIMARY KEY, note VARCHAR(32))');
    await query('shop', 'primary', "INSERT INTO app.orders VALUES (1, 'one'), (2, 'two')");
    const ws = await env.client.get<WebStack>(WEBSTACK, NS, 'shop');
    const replica = ws!.status!.database!.instances!.find((i) => i.role === 'replica')!.name;
    await eventually('the replica has the rows', async () => (await query('shop', replica, 'SELECT * FROM app.orders')).length === 2, 10_000, 100);
    const primaryGtid = (await query('shop', 'primary', 'SELECT @@gtid_binlog_pos AS p'))[0] as { p: string };
    await env.client.create(WEBSTACKBACKUP, NS, { apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStackBackup', metadata: { name: 'shop-1' }, spec: { stack: 'shop' } });
    const backup = await backupDone('shop-1');
    expect(backup.status).toMatchObject({
      phase: 'Completed', method: 'physical', engine: 'mariadb', location: 'shop/shop/backups/shop-1', attempts: 1,
      message: `replica ${replica} is ready with the least lag`, gtidPosition: primaryGtid.p,
    });
    const stored = readFileSync(path.join(backupDir, 'shop/shop/backups/shop-1', PHYSICAL_OBJECT));
    expect(backup.status!.size).toBe(stored.length);
    expect(stored.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
  }, 90_000);

  it('restores it into a new stack to a point in time: the copy before its server starts, then the archive; replicas are rebuilt', async () => {
    await query('shop', 'primary', "INSERT INTO app.orders VALUES (3, 'before T')");
    // Binlog timestamps are whole seconds: T is a second boundary with a second either side.
    await sleep(1100);
    const t = new Date(Math.ceil(Date.now() / 1000) * 1000);
    await sleep(t.getTime() - Date.now() + 1100);
    await query('shop', 'primary', "INSERT INTO app.orders VALUES (4, 'after T')");
    await query('shop', 'primary', 'DROP TABLE app.orders');
    const pointInTime = t.toISOString().replace(/\.\d+Z$/, 'Z');
    await eventually('the archive reaches past T', async () => {
      const until = (await env.client.get<WebStack>(WEBSTACK, NS, 'shop'))?.status?.backup?.recoverableUntil;
      return until !== undefined && Date.parse(until) > t.getTime() + 1000;
    }, 30_000, 200);
    await env.client.create(WEBSTACK, NS, stack('copy', { restore: { backup: 'shop-1', pointInTime } }));
    const ws = await restoreDone('copy');
    expect(ws.status!.restore).toMatchObject({ phase: 'Completed', backup: 'shop-1', pointInTime });
    expect(await query('copy', 'primary', 'SELECT id, note FROM app.orders ORDER BY id')).toEqual([{ id: 1, note: 'one' }, { id: 2, note: 'two' }, { id: 3, note: 'before T' }]);
    const replica = await eventually('the new stack\'s replica in its status', async () =>
      (await env.client.get<WebStack>(WEBSTACK, NS, 'copy'))?.status?.database?.instances?.find((i) => i.role === 'replica' && i.ready)?.name, 60_000, 200);
    await query('copy', 'primary', "INSERT INTO app.orders VALUES (5, 'in the new stack')");
    await eventually('the new stack\'s replica replicates from its primary', async () =>
      (await query('copy', replica, 'SELECT * FROM app.orders').catch(() => [])).length === 4, 60_000, 200);
    const said = JSON.stringify([(await env.client.get<WebStack>(WEBSTACK, NS, 'copy'))!.status, (await env.client.list(EVENT, NS)).items, env.logs.lines]);
    for (const secret of [...await passwords('shop'), ...await passwords('copy')]) expect(said).not.toContain(secret);
  }, 180_000);

  it('refuses a corrupted physical backup before anything reaches the new stack', async () => {
    const file = path.join(backupDir, 'shop/shop/backups/shop-1', PHYSICAL_OBJECT);
    const bytes = readFileSync(file);
    bytes[bytes.length >> 1] ^= 0x55;
    writeFileSync(file, bytes);
    await env.client.create(WEBSTACK, NS, stack('broken', { restore: { backup: 'shop-1' } }));
    const ws = await restoreDone('broken');
    expect(ws.status!.restore).toMatchObject({ phase: 'Failed', attempts: 1 });
    expect(ws.status!.restore!.message).toMatch(/^backup shop-1 is corrupted: volume:shop\/shop\/backups\/shop-1\/physical\.mbstream\.gz has SHA-256 [0-9a-f]{64}, the backup recorded [0-9a-f]{64}; it was not restored$/);
    expect(await query('broken', 'primary', "SHOW TABLES FROM app LIKE 'orders'")).toEqual([]);
  }, 150_000);

  it('deleting a backup deletes its data, then the archived binlogs no remaining backup needs', async () => {
    await env.client.create(WEBSTACKBACKUP, NS, { apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStackBackup', metadata: { name: 'shop-2' }, spec: { stack: 'shop' } });
    const second = await backupDone('shop-2');
    expect(second.status?.phase).toBe('Completed');
    expect(second.metadata.finalizers).toEqual([BACKUP_DATA_FINALIZER]);
    const before = archivedBinlogs();
    expect(before.length).toBeGreaterThan(0);
    await env.client.delete(WEBSTACKBACKUP, NS, 'shop-1');
    await eventually('shop-1 gone', async () => (await env.client.get(WEBSTACKBACKUP, NS, 'shop-1')) === undefined, 30_000, 100);
    expect(readdirSync(path.join(backupDir, 'shop/shop/backups/shop-1'))).toEqual([]);
    expect(readdirSync(path.join(backupDir, 'shop/shop/backups/shop-2')).sort()).toEqual(['manifest.json', PHYSICAL_OBJECT]);
    const after = archivedBinlogs();
    expect(after.length).toBeLessThan(before.length);
    expect(before).toEqual(expect.arrayContaining(after));
  }, 90_000);
});
