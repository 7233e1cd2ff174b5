/**
 * Point-in-time recovery through the operator, into a real S3 server (SeaweedFS): the stack archives
 * its binlogs and says its recoverable window; a NEW stack restored to T has exactly the rows
 * committed before T. The S3 keys never reach a status, an Event or a metric.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { WebStackBackup } from '../../../src/api/backup-types.js';
import type { WebStack } from '../../../src/api/types.js';
import { resourceFor, WEBSTACK, WEBSTACKBACKUP } from '../../../src/controller/resources.js';
import { S3Store } from '../../../src/backup/s3-store.js';
import { startDatabaseEnv, type DatabaseEnv } from '../database/harness.js';
import { eventually } from '../../support/eventually.js';
import { backupTestStack, queryStackPod } from './stacks.js';
import { startSeaweedS3, type SeaweedS3 } from '../../support/seaweedfs.js';

const NS = 'shop';
const SECRET = resourceFor('v1', 'Secret');
const EVENT = resourceFor('v1', 'Event');
let env: DatabaseEnv;
let s3: SeaweedS3;

const stack = (name: string, database: NonNullable<WebStack['spec']['database']> = {}) => backupTestStack(NS, name, database);

const onPrimary = (name: string, sql: string) => queryStackPod(env, NS, name, 'primary', sql);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  s3 = await startSeaweedS3();
  await s3.createBucket('backups');
  env = await startDatabaseEnv(NS, { retryBaseMs: 300, maxAttempts: 20, archiveIntervalMs: 500 });
  await env.client.create(SECRET, NS, {
    apiVersion: 'v1', kind: 'Secret', metadata: { name: 's3-keys', namespace: NS },
    stringData: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  await env.startOperator('operator-a');
  await env.client.create(WEBSTACK, NS, stack('shop', {
    backup: { pointInTimeRecovery: true, retention: { count: 1 }, storage: { s3: { endpoint: s3.endpoint, bucket: 'backups', prefix: 'team-a', credentialsSecret: 's3-keys', forcePathStyle: true } } },
  }));
  await eventually('shop bootstrapped', async () => {
    const db = (await env.client.get<WebStack>(WEBSTACK, NS, 'shop'))?.status?.database;
    return db?.bootstrapped && db.instances?.length === 2 && db.instances.every((i) => i.ready);
  }, 90_000, 200);
}, 180_000);

afterAll(async () => {
  await env?.close();
  await s3?.close();
});

describe('point-in-time recovery through the operator, on S3', () => {
  it('restores a new stack to T: exactly the rows committed before T', async () => {
    await onPrimary('shop', 'CREATE TABLE app.t (id INT PRIMARY KEY)');
    await onPrimary('shop', 'INSERT INTO app.t VALUES (1), (2)');
    await env.client.create(WEBSTACKBACKUP, NS, { apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStackBackup', metadata: { name: 'b1' }, spec: { stack: 'shop' } });
    const backup = await eventually('b1 completed', async () => {
      const b = await env.client.get<WebStackBackup>(WEBSTACKBACKUP, NS, 'b1');
      return b?.status?.phase === 'Completed' ? b : undefined;
    }, 60_000, 200) as WebStackBackup;
    expect(backup.status).toMatchObject({ location: 'team-a/shop/shop/backups/b1', binlogLocation: 'team-a/shop/shop/binlogs', storage: { s3: { bucket: 'backups' } } });

    await sleep(1000);
    await onPrimary('shop', 'INSERT INTO app.t VALUES (3)');
    await sleep(1000 - (Date.now() % 1000) + 1000);
    const T = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    await sleep(1100);
    await onPrimary('shop', 'INSERT INTO app.t VALUES (4)');
    await onPrimary('shop', 'DROP TABLE app.t');
    await eventually('the recoverable window to pass T', async () => {
      const b = (await env.client.get<WebStack>(WEBSTACK, NS, 'shop'))?.status?.backup;
      return b?.recoverableUntil !== undefined && Date.parse(b.recoverableUntil) > Date.parse(T) + 2000
        && b.recoverableFrom === backup.status!.startTime;
    }, 30_000, 200);

    await env.client.create(WEBSTACK, NS, stack('copy', { restore: { backup: 'b1', pointInTime: T } }));
    const restored = await eventually('the restore to T', async () => {
      const ws = await env.client.get<WebStack>(WEBSTACK, NS, 'copy');
      return ws?.status?.restore?.phase === 'Completed' || ws?.status?.restore?.phase === 'Failed' ? ws : undefined;
    }, 150_000, 200) as WebStack;
    expect(restored.status!.restore).toMatchObject({ phase: 'Completed', backup: 'b1', pointInTime: T });
    expect(await onPrimary('copy', 'SELECT id FROM app.t ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);

    const metrics = await env.operator!.metrics.registry.metrics();
    expect(metrics).toMatch(/webstack_backup_last_success_timestamp_seconds\{namespace="shop",name="shop"\} \d+/);
    expect(metrics).toMatch(/webstack_backup_size_bytes\{namespace="shop",name="shop"\} [1-9]/);
    const said = JSON.stringify([restored, await env.client.get(WEBSTACK, NS, 'shop'), backup, (await env.client.list(EVENT, NS)).items]) + metrics;
    expect(said).not.toContain(s3.secretAccessKey);

    // Retention (count 1): a second backup deletes the first, its objects, and the binlogs only it needed.
    const store = new S3Store({ endpoint: s3.endpoint, bucket: 'backups', region: 'us-east-1', forcePathStyle: true, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });
    const binlogData = async () => (await store.list('team-a/shop/shop/binlogs/')).filter((o) => /binlog\.\d+$/.test(o.key)).length;
    const before = await binlogData();
    expect(before).toBeGreaterThan(0);
    await env.client.create(WEBSTACKBACKUP, NS, { apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStackBackup', metadata: { name: 'b2' }, spec: { stack: 'shop' } });
    await eventually('b1 deleted by retention', async () => !(await env.client.get(WEBSTACKBACKUP, NS, 'b1')), 60_000, 200);
    expect(await store.list('team-a/shop/shop/backups/b1/')).toEqual([]);
    expect((await store.list('team-a/shop/shop/backups/b2/')).map((o) => o.key.split('/').pop())).toEqual(['dump.sql.gz', 'manifest.json']);
    await eventually('binlogs before b2 pruned', async () => (await binlogData()) < before, 10_000, 200);
  }, 240_000);
});
