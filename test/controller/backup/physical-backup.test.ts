/**
 * Physical backups through the operator: database pods run the agent beside the server (the
 * sandbox runs the operator's image from these sources), the default method copies a replica with
 * mariadb-backup through its agent into the volume target; a NEW stack is restored from the copy
 * (copied back before its primary's server starts again) and replayed to a point in time.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { WebStackBackup } from '../../../src/api/backup-types.js';
import type { WebStack } from '../../../src/api/types.js';
import { PHYSICAL_OBJECT } from '../../../src/backup/locations.js';
import { WEBSTACK, WEBSTACKBACKUP } from '../../../src/controller/resources.js';
import { startDatabaseEnv, type DatabaseEnv } from '../database/harness.js';
import { eventually } from '../../support/eventually.js';
import { backupTestStack, queryStackPod } from './stacks.js';

const NS = 'shop';
let env: DatabaseEnv;
let backupDir: string;

const stack = (name: string, database: NonNullable<WebStack['spec']['database']> = {}) => backupTestStack(NS, name, database);
const query = (name: string, pod: string, sql: string) => queryStackPod(env, NS, name, pod, sql);

async function healthy(name: string): Promise<WebStack> {
  return eventually(`${name} bootstrapped with every instance ready`, async () => {
    const ws = await env.client.get<WebStack>(WEBSTACK, NS, name);
    const db = ws?.status?.database;
    return db?.bootstrapped && db.instances?.length === 2 && db.instances.every((i) => i.ready) ? ws : undefined;
  }, 90_000, 200) as Promise<WebStack>;
}

async function backupDone(name: string): Promise<WebStackBackup> {
  return eventually(`backup ${name} done`, async () => {
    const b = await env.client.get<WebStackBackup>(WEBSTACKBACKUP, NS, name);
    return b?.status?.phase === 'Completed' || b?.status?.phase === 'Failed' ? b : undefined;
  }, 60_000, 200) as Promise<WebStackBackup>;
}

beforeAll(async () => {
  backupDir = mkdtempSync(path.join(os.tmpdir(), 'webstack-volume-'));
  env = await startDatabaseEnv(NS, { backupDir, retryBaseMs: 200, maxAttempts: 3, archiveIntervalMs: 500 }, { agents: true });
  await env.startOperator('operator-a');
  await env.client.create(WEBSTACK, NS, stack('shop', { backup: { storage: { volume: {} }, pointInTimeRecovery: true } }));
  await healthy('shop');
}, 120_000);

afterAll(async () => {
  await env?.close();
  rmSync(backupDir, { recursive: true, force: true });
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
});
