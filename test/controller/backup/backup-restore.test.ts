/**
 * Backups through the operator, end to end: the in-memory API server, the sandbox runtime running
 * each stack's database pods as real mariadbd processes, and the operator with its database managers
 * and backup controller. A WebStackBackup is taken from a replica into the volume target; a NEW stack
 * with spec.database.restore comes up with the rows, on its primary and its replica; a stack restored
 * from a corrupted backup refuses it and says so. Then the stack's schedule runs (the backup
 * controller's clock jumps to each run) and retention keeps only the newest backup and its data;
 * shrinking the stack's backup volume is refused; deleting the stack keeps the volume and its backups.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { WebStackBackup } from '../../../src/api/backup-types.js';
import { names } from '../../../src/api/labels.js';
import type { WebStack } from '../../../src/api/types.js';
import { DUMP_OBJECT } from '../../../src/backup/locations.js';
import { resourceFor, WEBSTACK, WEBSTACKBACKUP } from '../../../src/controller/resources.js';
import { credentialsFromSecretData } from '../../../src/render/credentials.js';
import { claimDir } from '../../../src/sandbox/runtime/pod-volumes.js';
import { startDatabaseEnv, type DatabaseEnv } from '../database/harness.js';
import { eventually } from '../../support/eventually.js';
import { JumpClock } from '../../support/jump-clock.js';
import { backupEnded, backupTestStack, queryStackPod, restoreEnded, stackHealthy } from './stacks.js';

const NS = 'shop';
const SECRET = resourceFor('v1', 'Secret');
const EVENT = resourceFor('v1', 'Event');
let env: DatabaseEnv;
/** The backup controller's clock: the schedule's next run is a jump away. */
const clock = new JumpClock();
let backupDir: string;

const stack = (name: string, database: NonNullable<WebStack['spec']['database']> = {}) => backupTestStack(NS, name, database);

async function adminPassword(name: string): Promise<string> {
  const secret = await env.client.get<{ data?: Record<string, string> }>(SECRET, NS, names.mysqlSecret(name));
  return credentialsFromSecretData(secret!.data).adminPassword;
}

const query = (name: string, pod: string, sql: string) => queryStackPod(env, NS, name, pod, sql);
const restoreDone = (name: string) => restoreEnded(env, NS, name);
const backupDone = (name: string) => backupEnded(env, NS, name);
const healthy = (name: string) => stackHealthy(env, NS, name);

beforeAll(async () => {
  env = await startDatabaseEnv(NS, { retryBaseMs: 200, maxAttempts: 3 }, { backupClock: clock });
  // The stack's backup volume, as the sandbox keeps it: a directory of the runtime's state.
  backupDir = claimDir(env.stateDir, NS, names.backupVolume('shop'));
  await env.startOperator('operator-a');
  // Yearly: it never fires during the test; its metric says how long backups may wait.
  await env.client.create(WEBSTACK, NS, stack('shop', { backup: { schedule: '0 0 1 1 *', storage: { volume: {} } } }));
  await healthy('shop');
}, 120_000);

afterAll(async () => {
  await env?.close();
});

describe('backups and restores through the operator', () => {
  let backup: WebStackBackup;

  it('backs up a replica into the volume target, and says what it stored', async () => {
    await query('shop', 'primary', 'CREATE TABLE app.orders (id INT PRIMARY KEY, note VARCHAR(32))');
    await query('shop', 'primary', "INSERT INTO app.orders VALUES (1, 'one'), (2, 'two')");
    const ws = await env.client.get<WebStack>(WEBSTACK, NS, 'shop');
    const replica = ws!.status!.database!.instances!.find((i) => i.role === 'replica')!.name;
    await eventually('the replica has the rows', async () => (await query('shop', replica, 'SELECT * FROM app.orders')).length === 2, 10_000, 100);
    await env.client.create(WEBSTACKBACKUP, NS, { apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStackBackup', metadata: { name: 'shop-1' }, spec: { stack: 'shop' } });
    backup = await backupDone('shop-1');
    expect(backup.status).toMatchObject({
      phase: 'Completed', method: 'logical', engine: 'mariadb', location: 'shop/shop/backups/shop-1', storage: { volume: {} }, attempts: 1,
      message: `replica ${replica} is ready with the least lag`,
    });
    expect(backup.status!.size).toBe(readFileSync(path.join(backupDir, 'shop/shop/backups/shop-1', DUMP_OBJECT)).length);
    expect(backup.status!.gtidPosition).toMatch(/^0-10[01]-\d+$/);
    // The stack's condition is written after the backup's status: read it once it is there.
    const stackStatus = await eventually('the stack\'s BackupFailing condition', async () => {
      const status = (await env.client.get<WebStack>(WEBSTACK, NS, 'shop'))!.status!;
      return status.conditions?.some((c) => c.type === 'BackupFailing') ? status : undefined;
    }, 10_000, 100);
    expect(stackStatus.conditions?.find((c) => c.type === 'BackupFailing')).toMatchObject({ status: 'False', reason: 'BackupSucceeded' });
    const said = JSON.stringify([backup, stackStatus, (await env.client.list(EVENT, NS)).items]);
    expect(said).not.toContain(await adminPassword('shop'));
    // The alert on a missing backup reads the schedule's longest wait (365 or 366 days here).
    expect(await env.operator!.metrics.registry.metrics()).toMatch(new RegExp(`webstack_backup_schedule_interval_seconds\\{namespace="${NS}",name="shop"\\} (31536000|31622400)\n`));
  }, 90_000);

  it('restores it into a new stack: the primary and its replica have exactly the rows', async () => {
    await query('shop', 'primary', "INSERT INTO app.orders VALUES (3, 'after the backup')");
    await env.client.create(WEBSTACK, NS, stack('copy', { restore: { backup: 'shop-1' } }));
    const ws = await restoreDone('copy');
    expect(ws.status!.restore).toMatchObject({ phase: 'Completed', backup: 'shop-1' });
    expect(await query('copy', 'primary', 'SELECT id, note FROM app.orders ORDER BY id')).toEqual([{ id: 1, note: 'one' }, { id: 2, note: 'two' }]);
    // The restore's status and the database manager's are written apart: the replica may be listed a moment later.
    const replica = await eventually('the new stack\'s replica in its status', async () =>
      (await env.client.get<WebStack>(WEBSTACK, NS, 'copy'))?.status?.database?.instances?.find((i) => i.role === 'replica')?.name, 30_000, 100);
    await eventually('the new stack\'s replica has the rows', async () => (await query('copy', replica, 'SELECT * FROM app.orders')).length === 2, 20_000, 100);
  }, 150_000);

  it('refuses a corrupted backup with a clear error, and restores nothing', async () => {
    const file = path.join(backupDir, 'shop/shop/backups/shop-1', DUMP_OBJECT);
    const bytes = readFileSync(file);
    bytes[bytes.length >> 1] ^= 0x55;
    writeFileSync(file, bytes);
    await env.client.create(WEBSTACK, NS, stack('broken', { restore: { fromStack: 'shop' } }));
    const ws = await restoreDone('broken');
    expect(ws.status!.restore).toMatchObject({ phase: 'Failed', attempts: 1 });
    expect(ws.status!.restore!.message).toMatch(/^backup shop-1 is corrupted: volume:shop\/shop\/backups\/shop-1\/dump\.sql\.gz has SHA-256 [0-9a-f]{64}, the backup recorded [0-9a-f]{64}; it was not restored$/);
    expect(ws.status!.conditions?.find((c) => c.type === 'Restored')).toMatchObject({ status: 'False', reason: 'RestoreFailed' });
    const events = (await env.client.list<{ reason: string; involvedObject: { name: string } }>(EVENT, NS)).items;
    expect(events.some((e) => e.reason === 'RestoreFailed' && e.involvedObject.name === 'broken')).toBe(true);
    expect(await query('broken', 'primary', "SHOW TABLES FROM app LIKE 'orders'")).toEqual([]);
  }, 150_000);
});

describe('scheduled backups', () => {
  const HOUR = 3_600_000;
  const scheduledName = (at: number) => `shop-${new Date(at).toISOString().replace(/[-:T]/g, '').slice(0, 12)}`;
  /** The WebStackBackups of stack shop, by name. */
  const shopBackups = async () => (await env.client.list<WebStackBackup>(WEBSTACKBACKUP, NS)).items
    .filter((b) => b.spec.stack === 'shop').map((b) => b.metadata.name).sort();
  /** Every file under the stack's backups on its volume. */
  const storedFiles = () => readdirSync(path.join(backupDir, 'shop/shop/backups'), { recursive: true, encoding: 'utf8' })
    .filter((f) => statSync(path.join(backupDir, 'shop/shop/backups', f)).isFile()).sort();

  it('the operator takes a backup at each run of the schedule, and retention keeps the newest', async () => {
    await env.client.mergePatch(WEBSTACK, NS, 'shop', { spec: { database: { backup: { schedule: '0 * * * *', retention: { count: 1 } } } } });
    await eventually('the hourly schedule armed', async () =>
      (await env.operator!.metrics.registry.metrics()).includes(`webstack_backup_schedule_interval_seconds{namespace="${NS}",name="shop"} 3600\n`), 20_000, 100);
    const runs: string[] = [];
    for (let i = 0; i < 2; i++) {
      const at = Math.ceil((clock.now() + 1) / HOUR) * HOUR;
      clock.jump(at - clock.now());
      runs.push(scheduledName(at));
      const b = await backupDone(runs[i]);
      expect(b.status).toMatchObject({ phase: 'Completed', attempts: 1, location: `shop/shop/backups/${runs[i]}` });
      expect(b.metadata.labels).toMatchObject({ 'webstack.dev/stack': 'shop' });
      // Retention (count 1) deletes every older backup of the stack, the one taken by hand included, with its data.
      await eventually(`only ${runs[i]} kept`, async () => (await shopBackups()).join() === runs[i], 30_000, 200);
      expect((await env.client.get<WebStack>(WEBSTACK, NS, 'shop'))!.status!.backup!.lastScheduleTime).toBe(new Date(at).toISOString().replace(/\.000Z$/, 'Z'));
    }
    expect(storedFiles()).toEqual([`${runs[1]}/${DUMP_OBJECT}`, `${runs[1]}/manifest.json`]);
  }, 120_000);

  it('refuses to shrink the backup volume, naming the field, and leaves the claim as it is', async () => {
    await env.client.mergePatch(WEBSTACK, NS, 'shop', { spec: { database: { backup: { storage: { volume: { size: '1Gi' } } } } } });
    const ready = await eventually('the edit refused', async () => (await env.client.get<WebStack>(WEBSTACK, NS, 'shop'))?.status?.conditions
      ?.find((c) => c.type === 'Ready' && c.reason === 'InvalidSpec'), 20_000, 100);
    expect(ready!.message).toContain('spec.database.backup.storage.volume.size');
    expect(ready!.message).toContain('cannot shrink: the backup volume\'s claim has 10Gi, the spec asks for 1Gi');
    const claim = await env.client.get<{ spec: { resources: { requests: { storage: string } } } }>(resourceFor('v1', 'PersistentVolumeClaim'), NS, names.backupVolume('shop'));
    expect(claim!.spec.resources.requests.storage).toBe('10Gi');
  }, 30_000);

  it('deleting the stack keeps its backup volume; a backup deleted then leaves its data there', async () => {
    const [kept] = await shopBackups();
    const files = storedFiles();
    await env.client.delete(WEBSTACK, NS, 'shop');
    await eventually('the store gone with the stack', async () =>
      !(await env.client.get(resourceFor('apps/v1', 'Deployment'), NS, names.backupStore('shop')))
      && !(await env.client.get(SECRET, NS, names.backupStoreSecret('shop'))), 30_000, 100);
    expect(await env.client.get(resourceFor('v1', 'PersistentVolumeClaim'), NS, names.backupVolume('shop'))).toBeDefined();
    await env.client.delete(WEBSTACKBACKUP, NS, kept);
    await eventually(`${kept} gone`, async () => !(await env.client.get(WEBSTACKBACKUP, NS, kept)), 20_000, 100);
    const events = (await env.client.list<{ reason: string; involvedObject: { name: string }; message: string }>(EVENT, NS)).items;
    expect(events.find((e) => e.reason === 'BackupDataKept' && e.involvedObject.name === kept)?.message)
      .toBe(`the data of backup ${kept} stays on PersistentVolumeClaim shop-backups: stack shop is deleted, no store serves it`);
    expect(storedFiles()).toEqual(files);
  }, 60_000);
});
