/**
 * A MySQL 8.4 point-in-time replay end to end but for the server: two primaries' binlog files
 * (byte-exact 8.4 files, a failover between them) archived through the real agents of the old
 * stack's pods into a real volume store, planned from the store, placed by the restored primary's
 * real agent as the relay log of channel `pitr`, and applied by a scripted server (no MySQL runs
 * here) whose applier reads that relay log from disk as the server would: the index, the files in
 * order, each GTID once, stopping where START REPLICA ... UNTIL says.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AgentClient, type AgentTarget } from '../../src/agent/client.js';
import { agentToken } from '../../src/agent/protocol.js';
import { createAgentServer } from '../../src/agent/server.js';
import { archiveMysqlBinlogs } from '../../src/backup/mysql-binlog-archive.js';
import { mysqlBinlogTransactions } from '../../src/backup/mysql-binlog-file.js';
import { replayServerId } from '../../src/backup/mysql-replay.js';
import { VolumeStore } from '../../src/backup/volume-store.js';
import { replayPlannerFor } from '../../src/controller/backup/pitr-engines.js';
import type { StackAccess } from '../../src/controller/backup/stack-access.js';
import { MysqlGtidSet } from '../../src/mysql/gtid.js';
import type { Row } from '../../src/mysql/sql/dialect.js';
import { mysqlBinlog, type BuiltTransaction } from './mysql-binlog-builder.js';

const PASSWORD = 'admin-secret';
const APP_PASSWORD = 'app-secret';
const A = '3e11fa47-71ca-11e1-9e33-c80aa9429562';
const B = '4f22fa47-71ca-11e1-9e33-c80aa9429562';
const T0 = Date.parse('2026-12-04T10:00:00Z') * 1000;
const at = (seconds: number): number => T0 + seconds * 1e6;
const a = (gno: number, seconds: number): BuiltTransaction => ({ source: A, gno, commitUs: at(seconds), serverId: 100 });
const b = (gno: number, seconds: number): BuiltTransaction => ({ source: B, gno, commitUs: at(seconds), serverId: 101 });
const LOCATION = 'shop/shop/binlogs';
const BACKUP_GTID = `${A}:1-2`;

let work: string;
const servers: Server[] = [];
const agents = new AgentClient({ token: agentToken(PASSWORD) });

async function agentFor(dataDir: string): Promise<AgentTarget & { name: string }> {
  mkdirSync(dataDir, { recursive: true });
  const server = createAgentServer({ dataDir, socket: path.join(work, 'none.sock'), adminUser: 'webstack-admin', adminPassword: PASSWORD });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { name: path.basename(dataDir), host: '127.0.0.1', port: (server.address() as AddressInfo).port };
}

/** A pod of the old stack: its closed binlog files, and an open one. */
async function oldPrimary(name: string, files: { txs: BuiltTransaction[]; previous: string }[], serverId: number) {
  const dataDir = path.join(work, name);
  const target = await agentFor(dataDir);
  const names = [...files.map((_f, i) => `binlog.00000${i + 1}`), `binlog.00000${files.length + 1}`];
  files.forEach((f, i) => writeFileSync(path.join(dataDir, names[i]), mysqlBinlog(f.txs, { previous: f.previous, serverId })));
  writeFileSync(path.join(dataDir, names[files.length]), mysqlBinlog([], { serverId, inUse: true }));
  writeFileSync(path.join(dataDir, 'binlog.index'), names.map((n) => `./${n}\n`).join(''));
  const sql = async (text: string): Promise<Row[]> => {
    if (text === 'SELECT @@GLOBAL.gtid_executed AS gtid') return [{ gtid: 'A:1-4' }];
    if (text === 'FLUSH BINARY LOGS') return [];
    if (text === 'SHOW BINARY LOGS') return names.map((n) => ({ Log_name: n }));
    throw new Error(`unexpected statement ${text}`);
  };
  return { target, sql };
}

/**
 * The restored primary: server_id 100, gtid_executed the backup's. Its applier, once started,
 * reads the channel's relay log index and files from the data directory and applies each
 * transaction it has not executed, up to the UNTIL condition.
 */
function restoredPrimary(dataDir: string, applierError?: string) {
  const sent: string[] = [];
  let executed = MysqlGtidSet.parse(BACKUP_GTID);
  let serverId = 100;
  let skippedOwn = 0;
  const apply = (until: string): void => {
    const [, kind, gtids] = /UNTIL (SQL_BEFORE_GTIDS|SQL_AFTER_GTIDS) = '([^']*)'/.exec(until)!;
    const stop = MysqlGtidSet.parse(gtids);
    const relayLogs = readFileSync(path.join(dataDir, 'relay-bin-pitr.index'), 'utf8').trim().split('\n');
    for (const file of relayLogs) {
      const { server, transactions } = mysqlBinlogTransactions(readFileSync(path.join(dataDir, file)), file);
      expect(server === serverId).toBe(false);
      for (const t of transactions) {
        const one = MysqlGtidSet.parse(`${t.source}:${t.gno}`);
        if (kind === 'SQL_BEFORE_GTIDS' && stop.contains(one)) return;
        if (t.server === serverId) skippedOwn += 1;
        else if (!executed.contains(one)) executed = executed.union(one) as MysqlGtidSet;
        if (kind === 'SQL_AFTER_GTIDS' && executed.contains(stop)) return;
      }
    }
  };
  const sql = async (text: string): Promise<Row[]> => {
    sent.push(text);
    if (text === 'SELECT @@GLOBAL.server_id AS id') return [{ id: serverId }];
    const setId = /^SET GLOBAL server_id = (\d+)$/.exec(text);
    if (setId) {
      serverId = Number(setId[1]);
      return [];
    }
    if (text.startsWith('CHANGE REPLICATION SOURCE TO') || text.startsWith('STOP REPLICA') || text.startsWith('RESET REPLICA')) return [];
    if (text.startsWith('START REPLICA SQL_THREAD UNTIL')) {
      if (!applierError) apply(text);
      return [];
    }
    const subset = /^SELECT GTID_SUBSET\('([^']*)', @@GLOBAL\.gtid_executed\) AS (done|past)/.exec(text);
    if (subset) return [{ [subset[2]]: executed.contains(MysqlGtidSet.parse(subset[1])) ? 1 : 0, executed: executed.toString() }];
    if (text.startsWith('SELECT LAST_ERROR_NUMBER AS errno')) return applierError ? [{ errno: 1062, message: applierError }] : [];
    throw new Error(`unexpected statement ${text}`);
  };
  return { sent, sql, executed: () => executed.toString(), skippedOwn: () => skippedOwn };
}

// Primary shop-mysql-0 (server 100, A) wrote A:1-4; its replica shop-mysql-1 (server 101, B)
// replicated them, was promoted at 25 s and wrote B:1-3. The backup holds A:1-2.
async function archiveOfAFailover(store: VolumeStore): Promise<void> {
  const p0 = await oldPrimary('shop-mysql-0', [{ txs: [a(1, 10), a(2, 11)], previous: '' }, { txs: [a(3, 20), a(4, 21)], previous: `${A}:1-2` }], 100);
  const p1 = await oldPrimary('shop-mysql-1', [
    { txs: [a(1, 10), a(2, 11), a(3, 20), a(4, 21)], previous: '' }, { txs: [b(1, 30), b(2, 40), b(3, 41)], previous: `${A}:1-4` },
  ], 101);
  for (const [name, p] of [['shop-mysql-0', p0], ['shop-mysql-1', p1]] as const) {
    await archiveMysqlBinlogs({ primary: name, sql: p.sql, agents, agent: p.target, store, prefix: LOCATION, state: { archived: new Set() }, nowMs: () => at(50) / 1000 });
  }
}

const TARGET = { name: 'copy-mysql-0', host: '127.0.0.1', port: 3306 };
const login = { user: 'webstack-admin', password: PASSWORD };

async function planned(store: VolumeStore, restoredAgent: AgentTarget, primary: ReturnType<typeof restoredPrimary>, pointInTime: string) {
  const access = { agents: () => agents, agentOf: () => restoredAgent } as unknown as StackAccess;
  const sql = (async (addr: unknown, given: unknown, text: string) => {
    expect([addr, given]).toEqual([TARGET, login]);
    return primary.sql(text);
  }) as Parameters<typeof replayPlannerFor>[2];
  return replayPlannerFor('mysql', access, sql)({ store, location: LOCATION, gtidPosition: BACKUP_GTID, pointInTime });
}

beforeEach(() => {
  work = mkdtempSync(path.join(tmpdir(), 'mysql-replay-'));
});
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
  rmSync(work, { recursive: true, force: true });
});

describe('replaying a MySQL binlog archive into a restored primary', () => {
  it('applies exactly the transactions committed before the point in time, across the failover, then leaves no channel', async () => {
    const store = new VolumeStore(path.join(work, 'store'));
    await archiveOfAFailover(store);
    const dataDir = path.join(work, 'copy-mysql-0');
    const restoredAgent = await agentFor(dataDir);
    const primary = restoredPrimary(dataDir);

    const replay = await planned(store, restoredAgent, primary, '2026-12-04T10:00:40Z');
    expect(replay.summary).toBe(`replayed 3 archived transaction(s) from 2 binlog file(s) (${A}:3-4,${B}:1), stopped before ${B}:2, the first committed at or after 2026-12-04T10:00:40Z`);
    await replay.run({ primary: TARGET, login, secrets: [PASSWORD] });

    expect(primary.executed()).toBe(`${A}:1-4,${B}:1`);
    expect(primary.skippedOwn()).toBe(0);
    const statements = primary.sent.filter((s) => !s.startsWith('SELECT GTID_SUBSET') && !s.startsWith('SELECT LAST_ERROR'));
    expect(statements).toEqual([
      'SELECT @@GLOBAL.server_id AS id',
      // Both old servers' ids are in the files; 100 is also this pod's own.
      'SET GLOBAL server_id = 102',
      "CHANGE REPLICATION SOURCE TO SOURCE_HOST = 'pitr.invalid', RELAY_LOG_FILE = 'relay-bin-pitr.000001', RELAY_LOG_POS = 4 FOR CHANNEL 'pitr'",
      `START REPLICA SQL_THREAD UNTIL SQL_BEFORE_GTIDS = '${B}:2' FOR CHANNEL 'pitr'`,
      "STOP REPLICA SQL_THREAD FOR CHANNEL 'pitr'",
      "RESET REPLICA ALL FOR CHANNEL 'pitr'",
      'SET GLOBAL server_id = 100',
    ]);
    expect(primary.sent).toContain(`SELECT GTID_SUBSET('${B}:2', @@GLOBAL.gtid_executed) AS past`);
    expect(readdirSync(dataDir).filter((f) => f.startsWith('relay-bin'))).toEqual([]);
  });

  it('replays the whole archive when nothing is committed after the point in time', async () => {
    const store = new VolumeStore(path.join(work, 'store'));
    await archiveOfAFailover(store);
    const dataDir = path.join(work, 'copy-mysql-0');
    const primary = restoredPrimary(dataDir);
    const replay = await planned(store, await agentFor(dataDir), primary, '2026-12-04T10:00:45Z');
    await replay.run({ primary: TARGET, login, secrets: [PASSWORD] });
    expect(primary.executed()).toBe(`${A}:1-4,${B}:1-3`);
    expect(primary.sent).toContain(`START REPLICA SQL_THREAD UNTIL SQL_AFTER_GTIDS = '${A}:3-4,${B}:1-3' FOR CHANNEL 'pitr'`);
  });

  it('reports the applier\'s error without a password, and cleans the channel and the relay logs up', async () => {
    const store = new VolumeStore(path.join(work, 'store'));
    await archiveOfAFailover(store);
    const dataDir = path.join(work, 'copy-mysql-0');
    const primary = restoredPrimary(dataDir, `Could not execute Write_rows event; password '${APP_PASSWORD}'`);
    const replay = await planned(store, await agentFor(dataDir), primary, '2026-12-04T10:00:40Z');
    const run = replay.run({ primary: TARGET, login, secrets: [PASSWORD, APP_PASSWORD] });
    await expect(run).rejects.toThrow("replaying the binlog archive into copy-mysql-0: the applier stopped with error 1062: Could not execute Write_rows event; password '***' "
      + `(files ${LOCATION}/shop-mysql-0/binlog.000002, ${LOCATION}/shop-mysql-1/binlog.000002)`);
    expect(primary.sent.slice(-3)).toEqual(["STOP REPLICA SQL_THREAD FOR CHANNEL 'pitr'", "RESET REPLICA ALL FOR CHANNEL 'pitr'", 'SET GLOBAL server_id = 100']);
    expect(readdirSync(dataDir).filter((f) => f.startsWith('relay-bin'))).toEqual([]);
  });

  it('refuses an archived file damaged in the store before the server is touched', async () => {
    const store = new VolumeStore(path.join(work, 'store'));
    await archiveOfAFailover(store);
    const key = `${LOCATION}/shop-mysql-1/binlog.000002`;
    const chunks: Buffer[] = [];
    for await (const c of await store.get(key)) chunks.push(c as Buffer);
    const damaged = Buffer.concat(chunks);
    damaged[damaged.length - 10] ^= 0xff;
    await store.put(key, damaged);
    const dataDir = path.join(work, 'copy-mysql-0');
    const primary = restoredPrimary(dataDir);
    const replay = await planned(store, await agentFor(dataDir), primary, '2026-12-04T10:00:40Z');
    await expect(replay.run({ primary: TARGET, login, secrets: [PASSWORD] })).rejects.toThrow(/placing relay log 2 at .*: HTTP 422: relay-bin-pitr\.000002: received \d+ bytes with SHA-256 [0-9a-f]{64}, the archive recorded/);
    expect(primary.sent).toEqual([]);
    expect(readdirSync(dataDir).filter((f) => f.startsWith('relay-bin'))).toEqual([]);
  });

  it('refuses a point in time beyond the archive before anything is written', async () => {
    const store = new VolumeStore(path.join(work, 'store'));
    await archiveOfAFailover(store);
    const dataDir = path.join(work, 'copy-mysql-0');
    await expect(planned(store, await agentFor(dataDir), restoredPrimary(dataDir), '2026-12-04T11:00:00Z'))
      .rejects.toThrow('point in time 2026-12-04T11:00:00.000Z is beyond the recoverable window: the archive holds transactions until 2026-12-04T10:00:50.000Z');
  });

  it('keeps the server id unless a replayed event carries it', () => {
    expect(replayServerId(100, new Set([100, 101]))).toBe(102);
    expect(replayServerId(100, new Set([101, 102]))).toBe(100);
  });
});
