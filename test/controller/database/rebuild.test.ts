/**
 * Rebuilds from a peer end to end (issue 14): the operator and its database managers on the
 * sandbox runtime, each database pod a real mariadbd with the agent as its second container. The
 * primary's binlogs are purged, so an instance that starts empty can't catch up by replication:
 * the only replica of the two-instance stack, its volume wiped, and a new instance (scale 2 -> 3)
 * are rebuilt from a donor's physical copy, then replicate; writes go on meanwhile (with the only
 * replica away, the primary's semi-sync wait is suspended) and every committed row is on every instance.
 * A replica that diverged (a write of its own) is quarantined, its transaction saved in a ConfigMap
 * with the binlog events that hold it, and then rebuilt. So is a primary killed while a write waited
 * for its semi-sync acknowledgement and restarted keeping that write, as MySQL 8.4 does: a replica
 * takes over meanwhile, and the next failover finds every instance healthy again.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { names } from '../../../src/api/labels.js';
import type { WebStack } from '../../../src/api/types.js';
import { resourceFor, WEBSTACK } from '../../../src/controller/resources.js';
import { CA_SECRET_KEYS } from '../../../src/pki/database-certificates.js';
import { credentialsFromSecretData } from '../../../src/render/credentials.js';
import { SERVER_CONFIG_KEY } from '../../../src/render/mysql-config.js';
import { claimName } from '../../../src/sandbox/runtime/pod-names.js';
import { claimDir } from '../../../src/sandbox/runtime/pod-volumes.js';
import { eventually } from '../../support/eventually.js';
import { MARIADBD } from '../../support/mariadb-instance.js';
import { startDatabaseEnv, type DatabaseEnv } from './harness.js';

const NS = 'rebuild';
const SECRET = resourceFor('v1', 'Secret');
const CONFIG_MAP = resourceFor('v1', 'ConfigMap');
const EVENT = resourceFor('v1', 'Event');
let env: DatabaseEnv;
let login: { user: string; password: string; ca: string };

const stack: WebStack = {
  apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStack', metadata: { name: 'shop', namespace: NS },
  spec: {
    loadBalancer: { replicas: 1 },
    apps: [{ name: 'web', image: 'ghcr.io/acme/shop:1.4', replicas: 1 }],
    database: { engine: 'mariadb', replicas: 2 },
    networkPolicy: { enabled: false },
  },
};

async function ws(): Promise<WebStack> {
  return (await env.client.get<WebStack>(WEBSTACK, NS, 'shop'))!;
}

async function connect(pod: string): Promise<mysql.Connection> {
  const runner = env.runtime.pod(NS, pod);
  if (!runner) throw new Error(`${pod} is not running`);
  return mysql.createConnection({ host: runner.podIP, port: 3306, user: login.user, password: login.password, connectTimeout: 2000,
    ssl: { ca: login.ca, rejectUnauthorized: true } });
}

async function query(pod: string, sql: string): Promise<Record<string, unknown>[]> {
  const conn = await connect(pod);
  try {
    return (await conn.query(sql))[0] as Record<string, unknown>[];
  } finally {
    await conn.end();
  }
}

async function allReady(count: number): Promise<boolean> {
  const db = (await ws()).status?.database;
  return (db?.instances ?? []).length === count && db!.instances!.every((i) => i.ready) && !db!.rebuild;
}

async function events(reason: string): Promise<string[]> {
  const { items } = await env.client.list<{ reason: string; message: string }>(EVENT, NS);
  return items.filter((e) => e.reason === reason).map((e) => e.message);
}

/** Rows inserted one per statement through the primary, until stopped: how many were committed. */
function keepWriting(primary: string): { stop(): Promise<number> } {
  let running = true;
  let committed = 0;
  const done = (async () => {
    while (running) {
      try {
        await query(primary, "INSERT INTO store.orders (note) VALUES ('during the rebuild')");
        committed++;
      } catch {
        // A refused write is not counted: only committed rows must survive.
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return { async stop() { running = false; await done; return committed; } };
}

/** One row inserted through `primary`, counted as written; answers the GTID of its transaction. */
async function writeOne(primary: string): Promise<string> {
  const conn = await connect(primary);
  try {
    await conn.query("INSERT INTO store.orders (note) VALUES ('one at a time')");
    const [[row]] = await conn.query('SELECT @@last_gtid AS gtid') as unknown as [Record<string, unknown>[]];
    written++;
    return String(row.gtid);
  } finally {
    await conn.end();
  }
}

/** Whether `pod` has received the transaction `gtid` from its source (its domain's position is at or past it); no while it does not answer. */
async function hasReceived(pod: string, gtid: string): Promise<boolean> {
  const [domain, , seq] = gtid.split('-');
  let position: string;
  try {
    position = String((await query(pod, 'SHOW SLAVE STATUS'))[0]?.Gtid_IO_Pos ?? '');
  } catch {
    return false;
  }
  return position.split(',').map((g) => g.trim().split('-')).some(([d, , n]) => d === domain && Number(n) >= Number(seq));
}

/** New binlog file, then every older one purged: a replica starting from nothing can't be served. */
async function purgeBinlogs(primary: string): Promise<void> {
  await query(primary, 'FLUSH BINARY LOGS');
  const [{ File: current }] = await query(primary, 'SHOW MASTER STATUS');
  await eventually('the old binlogs purged', async () => {
    await query(primary, `PURGE BINARY LOGS TO '${String(current)}'`);
    return (await query(primary, 'SHOW BINARY LOGS')).length === 1;
  }, 30_000, 500);
}

async function rowsOn(pod: string): Promise<number> {
  return Number((await query(pod, 'SELECT COUNT(*) AS n FROM store.orders'))[0].n);
}

/** Writes go on while `pod` is rebuilt; then it holds every row the primary committed. */
async function rebuiltUnderWrites(primary: string, pod: string, begin: () => Promise<void>,
  more: { why?: RegExp; started?: () => Promise<void>; instances?: number } = {}): Promise<void> {
  const instances = more.instances ?? 3;
  const why = more.why ?? new RegExp(`${pod}: .*cannot send what it lacks`);
  const startedBefore = (await events('RebuildStarted')).length;
  const completedBefore = (await events('RebuildCompleted')).length;
  const writer = keepWriting(primary);
  let committed: number;
  try {
    await begin();
    await eventually(`a RebuildStarted Event for ${pod}`, async () => (await events('RebuildStarted')).length > startedBefore, 90_000, 250);
    expect((await events('RebuildStarted')).at(-1)).toMatch(new RegExp(`^${pod} is rebuilt from a physical copy of shop-mysql-\\d: ${why.source}`));
    await more.started?.();
    await eventually(`a RebuildCompleted Event for ${pod}`, async () => (await events('RebuildCompleted')).length > completedBefore, 120_000, 250);
  } finally {
    committed = await writer.stop();
  }
  expect(committed).toBeGreaterThan(0);
  expect((await events('RebuildCompleted')).at(-1)).toMatch(new RegExp(`^${pod} rebuilt from shop-mysql-\\d in \\d+s \\(\\d+ MiB copied, at GTID [\\d,-]+\\); it replicates from ${primary}$`));
  await eventually('every instance ready, no rebuild in progress', () => allReady(instances), 60_000);
  const expected = await rowsOn(primary);
  const pods = Array.from({ length: instances }, (_, n) => names.mysqlPod('shop', n));
  await eventually('every instance holds every committed row', async () => {
    for (const p of pods) if (await rowsOn(p) !== expected) return false;
    return true;
  }, 30_000, 250);
  written += committed;
  expect(expected).toBe(written);
}

/**
 * Crash recovery as MySQL 8.4 does it, on a pod's volume while the pod is held down: a transaction
 * prepared and in the binlog is committed (MariaDB's default role, MASTER), where the pod's own boot
 * (init_rpl_role = SLAVE) would roll it back and cut it. Then a clean shutdown, so the pod's next
 * boot has nothing to recover and keeps it. Answers what the recovered server holds.
 */
async function recoverKeepingTheTail(pod: string): Promise<{ gtid: string; rows: number }> {
  const ordinal = Number(pod.slice(pod.lastIndexOf('-') + 1));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'keep-tail-'));
  const config = (await env.client.get<{ data: Record<string, string> }>(CONFIG_MAP, NS, names.mysqlConfig('shop')))!.data[SERVER_CONFIG_KEY];
  writeFileSync(path.join(dir, SERVER_CONFIG_KEY), config);
  const socketPath = path.join(dir, 'mysqld.sock');
  const dataDir = path.join(claimDir(env.stateDir, NS, claimName('data', names.mysql('shop'), ordinal)), 'data');
  const server = spawn(MARIADBD, [`--defaults-file=${path.join(dir, SERVER_CONFIG_KEY)}`, `--datadir=${dataDir}`, `--server-id=${100 + ordinal}`,
    '--init-rpl-role=MASTER', '--skip-networking', `--socket=${socketPath}`, `--pid-file=${path.join(dir, 'mysqld.pid')}`,
    '--skip-grant-tables', '--skip-slave-start', ...(process.getuid?.() === 0 ? ['--user=root'] : [])], { stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => server.once('exit', resolve));
  try {
    const conn = await eventually('the recovered server answering', () => mysql.createConnection({ socketPath, user: 'root' }), 20_000, 100);
    try {
      const [[row]] = await conn.query('SELECT @@gtid_binlog_pos AS gtid, (SELECT COUNT(*) FROM store.orders WHERE id = 2000000) AS n') as unknown as [Record<string, unknown>[]];
      return { gtid: String(row.gtid), rows: Number(row.n) };
    } finally {
      await conn.end();
    }
  } finally {
    server.kill('SIGTERM');
    expect(await exited).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  }
}

const BEFORE = 100;
/** Rows committed on the primary so far. */
let written = BEFORE;

beforeAll(async () => {
  // Back-off short enough for the third test to rebuild an instance the first one rebuilt.
  env = await startDatabaseEnv(NS, undefined, { agents: true, timings: { rebuildBackoffMs: 1000 } });
  await env.startOperator('operator-a');
  await env.client.create(WEBSTACK, NS, stack);
  await eventually('a bootstrapped database with its replica', () => allReady(2), 150_000);
  const secret = await env.client.get<{ data?: Record<string, string> }>(SECRET, NS, names.mysqlSecret('shop'));
  const c = credentialsFromSecretData(secret!.data);
  const caSecret = await env.client.get<{ data: Record<string, string> }>(SECRET, NS, names.mysqlCaSecret('shop'));
  login = { user: c.adminUser, password: c.adminPassword, ca: Buffer.from(caSecret!.data[CA_SECRET_KEYS.certificate], 'base64').toString('utf8') };
  const primary = names.mysqlPod('shop', 0);
  await query(primary, 'CREATE DATABASE store');
  await query(primary, 'CREATE TABLE store.orders (id INT AUTO_INCREMENT PRIMARY KEY, note TEXT)');
  await query(primary, `INSERT INTO store.orders (note) WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${BEFORE}) SELECT REPEAT('x', 200) FROM n`);
}, 200_000);

afterAll(async () => {
  await env?.close();
}, 60_000);

describe('rebuilding an instance from a peer', () => {
  const primary = () => names.mysqlPod('shop', 0);

  it('the only replica of a two-instance semi-sync stack, its volume wiped, is rebuilt from the primary without stalling its writes', async () => {
    const pod = names.mysqlPod('shop', 1);
    expect((await ws()).status!.database!.primary).toBe(primary());
    await purgeBinlogs(primary());
    const suspendedBefore = (await events('SemiSyncSuspended')).length;
    const resumedBefore = (await events('SemiSyncResumed')).length;
    await rebuiltUnderWrites(primary(), pod, async () => {
      const volume = claimDir(env.stateDir, NS, claimName('data', names.mysql('shop'), 1));
      expect(env.holdDown(pod)).toBeGreaterThan(0);
      for (const entry of readdirSync(volume)) rmSync(path.join(volume, entry), { recursive: true, force: true });
      await env.bringBack(pod);
    }, { instances: 2, started: async () => {
      await eventually('the primary\'s semi-sync wait suspended', async () => (await events('SemiSyncSuspended')).length > suspendedBefore, 30_000, 100);
      expect((await events('SemiSyncSuspended')).at(-1)).toBe(`${primary()} commits without waiting for a replica's acknowledgement (semi-sync suspended) `
        + `while ${pod} is being rebuilt, and no other replica can acknowledge; it waits again once a replica can acknowledge`);
      // Semi-sync would hold this commit until the rebuilt replica received it: it commits first.
      const committed = await writeOne(primary());
      expect(await hasReceived(pod, committed)).toBe(false);
    } });
    expect((await events('RebuildStarted')).at(-1)).toContain('an empty data directory');
    await eventually('semi-sync resumed once the replica acknowledges again', async () => (await events('SemiSyncResumed')).length > resumedBefore, 30_000, 100);
    const [semi] = await query(primary(), 'SELECT @@rpl_semi_sync_master_enabled AS enabled');
    expect(semi.enabled).toBe(1);
  }, 300_000);

  it('a new instance the purged binlogs no longer cover (scale 2 -> 3) is rebuilt from the replica and catches up, across an operator restart', async () => {
    const pod = names.mysqlPod('shop', 2);
    await purgeBinlogs(primary());
    let restartedAt = 0;
    await rebuiltUnderWrites(primary(), pod, async () => {
      await env.client.mergePatch(WEBSTACK, NS, 'shop', { spec: { database: { replicas: 3 } } });
    }, { started: async () => {
      // The operator that started the rebuild goes; the next one reads it back from the status and finishes it.
      await env.stopOperator();
      restartedAt = env.logs.lines.length;
      await env.startOperator('operator-b');
    } });
    expect((await events('RebuildStarted')).at(-1)).toContain('a physical copy of shop-mysql-1');
    const resumed = env.logs.lines.slice(restartedAt).filter((l) => l.includes('"message":"database rebuild"')).map((l) => JSON.parse(l) as { reason: string; did: string });
    expect(resumed[0].reason).toMatch(new RegExp(`^resuming: ${pod}: an empty data directory`));
    expect(resumed.map((r) => r.did)).toContainEqual(expect.stringMatching(new RegExp(`^${pod} rebuilt from shop-mysql-1 in \\d+s`)));
  }, 300_000);

  it('a diverged replica is quarantined, its own transaction saved in a ConfigMap with its binlog events, then it is rebuilt', async () => {
    const pod = names.mysqlPod('shop', 2);
    await eventually('every instance ready', () => allReady(3), 60_000);
    // The admin account may write on a read-only server: a transaction of the replica's own, the primary never had.
    await query(pod, "INSERT INTO store.orders (id, note) VALUES (1000000, 'written on the replica only')");
    const [{ gtid }] = await query(pod, 'SELECT @@gtid_binlog_pos AS gtid');
    const errant = String(gtid).split(',').find((g) => g.split('-')[1] === '102')!;
    await rebuiltUnderWrites(primary(), pod, async () => undefined, { why: new RegExp(`${pod}: diverged: it holds transactions the primary lacks \\(${errant}\\)`) });
    const configMap = names.errantTransactions('shop', pod, 1);
    expect((await events('ErrantTransactionsSaved')).at(-1)).toMatch(new RegExp(`^${pod} holds transactions the primary lacks \\(${errant}\\): 1 of them, `
      + `with the binlog events that hold them, saved in ConfigMap ${configMap}; it is rebuilt from shop-mysql-[01] next$`));
    expect((await ws()).status!.database!.errantTransactionsSaved).toEqual([{ instance: pod, gtids: errant, configMap, savedAt: expect.any(String) }]);
    const saved = (await env.client.get<{ data: Record<string, string> }>(CONFIG_MAP, NS, configMap))!.data;
    expect(saved.gtids).toBe(errant);
    expect(saved['binlog-events.txt']).toMatch(new RegExp(`^# ${errant}\n.*\tGtid\tBEGIN GTID ${errant}\\b`));
    expect(saved['binlog-events.txt']).toContain("INSERT INTO store.orders (id, note) VALUES (1000000, 'written on the replica only')");
    expect(await query(pod, 'SELECT id FROM store.orders WHERE id = 1000000')).toEqual([]);
    expect((await ws()).status!.database!.instances!.find((i) => i.name === pod)).toMatchObject({ role: 'replica', ready: true });
    // Counted by the operator that started after the second test: its rebuild and this one.
    expect(await env.operator!.metrics.registry.getSingleMetricAsString('webstack_database_rebuilds_total'))
      .toContain(`webstack_database_rebuilds_total{namespace="${NS}",name="shop",result="completed"} 2`);
  }, 300_000);

  it('a primary killed with a write no replica acknowledged, restarted keeping it (as MySQL does), is replaced, its write saved, and it is rebuilt', async () => {
    await eventually('every instance ready', () => allReady(3), 60_000);
    const old = primary();
    const replicas = [1, 2].map((n) => names.mysqlPod('shop', n));
    // Until the kill nothing repairs the replicas: with their receivers stopped, no acknowledgement comes.
    await env.stopOperator();
    for (const r of replicas) await query(r, 'STOP SLAVE IO_THREAD');
    const [{ gtid: before }] = await query(old, 'SELECT @@gtid_binlog_pos AS gtid');
    const conn = await connect(old);
    conn.on('error', () => undefined);
    const pending = conn.query("INSERT INTO store.orders (id, note) VALUES (2000000, 'never acknowledged')").catch((err: unknown) => err);
    const tail = await eventually('the write in the binlog, waiting for its acknowledgement', async () => {
      const [{ gtid }] = await query(old, 'SELECT @@gtid_binlog_pos AS gtid');
      return gtid !== before ? String(gtid) : undefined;
    }, 10_000, 50);
    // Down while it is recovered by hand and until the failover has happened.
    expect(env.holdDown(old)).toBeGreaterThan(0);
    expect(await pending).toBeInstanceOf(Error);
    conn.destroy();
    const [kept] = await Promise.all([recoverKeepingTheTail(old), env.startOperator('operator-c')]);
    expect(kept).toEqual({ gtid: tail, rows: 1 });
    const next = await eventually('a failover recorded', async () => {
      const db = (await ws()).status?.database;
      return db?.lastFailover?.kind === 'failover' && db.lastFailover.from === old && db.primary === db.lastFailover.to ? db.primary : undefined;
    }, 60_000, 250);
    expect(await rowsOn(next)).toBe(written);
    // Back only after the failover: else it is simply the primary again, and nothing diverged.
    await env.bringBack(old);
    const savedBefore = ((await ws()).status!.database!.errantTransactionsSaved ?? []).filter((s) => s.instance === old).length;
    await rebuiltUnderWrites(next, old, async () => undefined, { why: new RegExp(`${old}: diverged: it holds transactions the primary lacks \\(${tail}\\)`) });
    const configMap = names.errantTransactions('shop', old, savedBefore + 1);
    expect((await events('InstanceQuarantined')).join('\n')).toContain(old);
    expect((await events('ErrantTransactionsSaved')).at(-1)).toMatch(new RegExp(`^${old} holds transactions the primary lacks \\(${tail}\\): 1 of them, .* ConfigMap ${configMap};`));
    expect((await ws()).status!.database!.errantTransactionsSaved).toContainEqual({ instance: old, gtids: tail, configMap, savedAt: expect.any(String) });
    const saved = (await env.client.get<{ data: Record<string, string> }>(CONFIG_MAP, NS, configMap))!.data;
    expect(saved['binlog-events.txt']).toContain("INSERT INTO store.orders (id, note) VALUES (2000000, 'never acknowledged')");
    expect(await query(old, 'SELECT id FROM store.orders WHERE id = 2000000')).toEqual([]);
  }, 200_000);

  it('after the rebuilds, the next failover finds its healthy replicas and loses no row', async () => {
    await eventually('every instance ready', () => allReady(3), 60_000);
    const current = (await ws()).status!.database!.primary!;
    // Held down past the failure threshold, as a pod whose restart is backed off.
    expect(env.holdDown(current)).toBeGreaterThan(0);
    const next = await eventually('a failover recorded', async () => {
      const db = (await ws()).status?.database;
      return db?.lastFailover?.kind === 'failover' && db.lastFailover.from === current && db.primary === db.lastFailover.to ? db.primary : undefined;
    }, 90_000, 250);
    await env.bringBack(current);
    expect(await rowsOn(next)).toBe(written);
    await eventually('the old primary back as a replica', () => allReady(3), 90_000);
  }, 200_000);

  it('never puts a database password in a log line, an Event, the status or a saved ConfigMap', async () => {
    const secret = await env.client.get<{ data?: Record<string, string> }>(SECRET, NS, names.mysqlSecret('shop'));
    const c = credentialsFromSecretData(secret!.data);
    const { items } = await env.client.list<{ message: string }>(EVENT, NS);
    const saved = await env.client.get<{ data: Record<string, string> }>(CONFIG_MAP, NS, names.errantTransactions('shop', names.mysqlPod('shop', 2), 1));
    const text = [...env.logs.lines, ...items.map((e) => e.message), JSON.stringify((await ws()).status), JSON.stringify(saved)].join('\n');
    expect(text).toContain('rebuilt from shop-mysql-1');
    for (const p of [c.adminPassword, c.replicationPassword, c.appPassword]) expect(text).not.toContain(p);
  });
});
