/**
 * MySQL 8.4 rebuilds, end to end through the rebuild executor (Rebuilds) and the clone rebuilder,
 * against scripted MySQL 8.4 servers: each checks the exact statements it is sent, in order, and
 * answers as the 8.4 manual says the server does (the clone_status row through the clone, error
 * 3707 without a supervisor, SHOW BINARY LOGS and SHOW BINLOG EVENTS rows of a diverged instance).
 * An operator restart mid-clone, a clone that fails, one abandoned, and an errant transaction saved
 * before the rebuild.
 */
import { describe, expect, it } from '@jest/globals';
import { CloneRebuilder } from '../../src/mysql/clone-rebuilder.js';
import type { DatabaseConnector } from '../../src/mysql/database.js';
import { MemoryEvents, MemoryRecord } from '../../src/mysql/memory.js';
import type { InstanceObservation } from '../../src/mysql/observation.js';
import type { ClusterState, ErrantArchive, InstanceAddress, ManagerCredentials } from '../../src/mysql/ports.js';
import { Rebuilds } from '../../src/mysql/rebuild.js';
import type { Row } from '../../src/mysql/sql/dialect.js';
import { CLONE_PLUGIN_STATUS, CLONE_STATUS } from '../../src/mysql/sql/mysql-clone.js';
import { mysqlDialect } from '../../src/mysql/sql/mysql-dialect.js';
import { SqlDatabase } from '../../src/mysql/sql/sql-database.js';
import { DatabaseError } from '../../src/mysql/sanitize.js';
import { FakeClock } from '../kube/fake-clock.js';
import { name, up } from './fixtures.js';
import { scriptedSession } from '../support/scripted-session.js';

const A = '3e11fa47-71ca-11e1-9e33-c80aa9429562';
const B = '4f22fa47-71ca-11e1-9e33-c80aa9429562';
const MIB = 1024 * 1024;
const creds: ManagerCredentials = {
  adminUser: 'admin', adminPassword: 'a-secret-pw', replicationUser: 'repl', replicationPassword: 'r-secret-pw',
  databaseName: 'shop', appUser: 'app', appPassword: 'app-secret-pw', exporterUser: 'exporter', exporterPassword: 'e-secret-pw',
};

interface CloneRow {
  state: 'Not Started' | 'In Progress' | 'Completed' | 'Failed';
  begin: string;
  pid: number;
  source: string;
  sessionRuns: boolean;
  restartedSince: boolean;
  bytes: number;
  errorNo?: number;
  errorMessage?: string;
  gtid?: string;
}

/** One MySQL 8.4 server as the operator's sessions see it; everything it is sent is logged, anything unexpected refused. */
class Mysql84 {
  readonly sent: string[] = [];
  up = true;
  plugin: Row[] = [{ status: 'ACTIVE' }];
  clone?: CloneRow;
  binlogs: Record<string, Row[]> = {};
  /** The CLONE statement's answer, settled by the test (the copy's end). */
  private statement?: { resolve: (rows: Row[]) => void; reject: (err: Error) => void };

  constructor(readonly name: string, readonly donorAddress: string) {}

  async query(sql: string): Promise<Row[]> {
    if (!this.up) throw new DatabaseError('refused', `connect to ${this.name}: connect ECONNREFUSED`, 'ECONNREFUSED');
    this.sent.push(sql);
    if (sql === CLONE_PLUGIN_STATUS) return this.plugin;
    if (sql === CLONE_STATUS) return this.cloneStatus();
    if (sql === `SET GLOBAL clone_valid_donor_list = '${this.donorAddress}'`) return [];
    if (sql.startsWith('CLONE INSTANCE FROM ')) return this.startClone();
    if (sql === 'SHUTDOWN') {
      this.up = false;
      throw new DatabaseError('other', `${this.name}: Connection lost: The server closed the connection.`, 'PROTOCOL_CONNECTION_LOST');
    }
    if (sql === 'SHOW BINARY LOGS') return Object.keys(this.binlogs).map((f) => ({ Log_name: f, File_size: 4096, Encrypted: 'No' }));
    const events = /^SHOW BINLOG EVENTS IN '([^']+)' FROM (\d+) LIMIT (\d+)$/.exec(sql);
    if (events) return (this.binlogs[events[1]] ?? []).filter((e) => Number(e.Pos) >= Number(events[2])).slice(0, Number(events[3]));
    const kill = /^KILL QUERY (\d+)$/.exec(sql);
    if (kill && this.clone?.pid === Number(kill[1]) && this.clone.sessionRuns) {
      this.endCopy({ state: 'Failed', errorNo: 1317, errorMessage: 'Query execution was interrupted' });
      return [];
    }
    throw new Error(`${this.name}: unexpected statement ${sql}`);
  }

  private startClone(): Promise<Row[]> {
    this.clone = { state: 'In Progress', begin: '2026-12-04 12:00:00.400000', pid: 57, source: this.donorAddress, sessionRuns: true, restartedSince: false, bytes: 0 };
    return new Promise((resolve, reject) => { this.statement = { resolve, reject }; });
  }

  /** The copy ends: the row changes as given and the CLONE statement gets its answer (3707 without a supervisor). */
  endCopy(row: Partial<CloneRow>, answer: Error = Object.assign(new Error('Restart server failed (mysqld is not managed by supervisor process).'), { errno: 3707 })): void {
    this.clone = { ...this.clone!, ...row, sessionRuns: false };
    this.statement?.reject(answer);
  }

  /** The container starts the server again: on the copy, whose clone then reads Completed. */
  boot(gtid: string): void {
    this.up = true;
    this.clone = { ...this.clone!, state: 'Completed', errorNo: 0, restartedSince: true, gtid };
  }

  /** The row in the aliases of CLONE_STATUS, as 8.4 fills its columns (uptime against the seconds since the clone began). */
  private cloneStatus(): Row[] {
    const c = this.clone;
    if (!c) return [];
    return [{
      pid: c.pid, state: c.state, error_no: c.errorNo ?? 0, error_message: c.errorMessage ?? '', source: c.source, begin_time: c.begin,
      duration_ms: c.state === 'Completed' ? 41_250 : null, begun_seconds_ago: 45, gtid_executed: c.gtid ?? '', binlog_file: c.gtid ? 'binlog.000003' : '',
      binlog_position: c.gtid ? 157 : 0, clone_sessions: c.sessionRuns ? 1 : 0, uptime: c.restartedSince ? 3 : 86_400, bytes: String(c.bytes),
    }];
  }
}

const addressOf = (i: number): InstanceAddress => ({ name: name(i), host: '127.0.0.1', port: 3300 + i });

/** `donor`: the ordinal the rebuild clones from (what a target accepts as clone_valid_donor_list). */
function setup(initial: ClusterState, archive?: ErrantArchive, donor = 1) {
  const clock = new FakeClock(Date.parse('2026-12-04T12:00:00Z'));
  const record = new MemoryRecord(initial);
  const events = new MemoryEvents();
  const servers = [0, 1, 2].map((i) => new Mysql84(name(i), `127.0.0.1:${3300 + donor}`));
  const warnings: string[] = [];
  const connect: DatabaseConnector = (addr) => new SqlDatabase(mysqlDialect, creds, (fn) => fn(scriptedSession((sql) => servers[addr.port - 3300].query(sql))));
  /** A fresh operator: its own rebuilder (nothing in memory), the same record and servers. */
  const operator = () => {
    const rebuilder = new CloneRebuilder({
      instances: async () => [0, 1, 2].map(addressOf),
      open: (addr) => (fn) => fn(scriptedSession((sql) => servers[addr.port - 3300].query(sql))),
      donorUser: creds.adminUser, donorPassword: creds.adminPassword, cloneTimeoutMs: 600_000,
    });
    const rebuilds = new Rebuilds({ record, rebuilder, events, clock, errant: archive, log: { info: () => undefined, warn: (m) => { warnings.push(m); } },
      timings: { rebuildTimeoutMs: 600_000, rebuildBackoffMs: 60_000, rebuildBackoffMaxMs: 3_600_000 } });
    return async (observations: InstanceObservation[]) => (await rebuilds.step(observations, await record.read(), connect)).did;
  };
  return { clock, record, events, servers, operator, warnings };
}

const mysql = { flavor: 'mysql' as const };
const purged = { io: 'No' as const, ioError: { errno: 1236, message: 'Got fatal error 1236 from source when reading data from binary log' } };
const primaryAt = (i: number, executed: string) => up(i, { ...mysql, writable: true, executed, semiSource: true, semiReplica: false });
const replicaOf = (i: number, source: number, executed: string, more = {}) => up(i, { ...mysql, executed, source, ...more });
const notReplicating = (i: number, executed: string) => ({ ...replicaOf(i, 0, executed), state: { ...replicaOf(i, 0, executed).state!, replica: undefined } });

const needing = [primaryAt(0, `${A}:1-90`), replicaOf(1, 0, `${A}:1-90`), replicaOf(2, 0, '', purged)];
const caughtUp = [primaryAt(0, `${A}:1-95`), replicaOf(1, 0, `${A}:1-95`), replicaOf(2, 0, `${A}:1-95`)];
const cloneSql = "CLONE INSTANCE FROM 'admin'@'127.0.0.1':3301 IDENTIFIED BY 'a-secret-pw'";
/** A clone this instance made long ago, its server restarted on it since. */
const olderClone: CloneRow = { state: 'Completed', begin: '2026-11-30 09:00:00.000000', pid: 12, source: '127.0.0.1:3301', sessionRuns: false,
  restartedSince: true, bytes: 10 * MIB, gtid: `${A}:1-20` };

describe('MySQL 8.4 rebuilds through the clone plugin', () => {
  it('clones, survives an operator restart mid-clone, restarts the unsupervised server on the copy, and completes once it replicates', async () => {
    const { record, events, servers, operator, clock } = setup({ primary: name(0), bootstrapped: true });
    const target = servers[2];
    target.clone = { ...olderClone };
    const first = operator();
    expect(await first(needing)).toBe('started rebuilding shop-mysql-2 from shop-mysql-1');
    expect((await record.read()).rebuild).toEqual({ instance: name(2), donor: name(1), reason: expect.stringContaining('empty data directory'),
      startedAt: '2026-12-04T12:00:00.000Z', previous: '2026-11-30 09:00:00.000000' });
    target.clone!.bytes = 64 * MIB;
    expect(await first(needing)).toBe('shop-mysql-2: copying (64 MiB)');

    // The operator restarts; the clone goes on in the server, and finishes while no operator listens.
    const second = operator();
    clock.advance(30_000);
    target.clone!.bytes = 512 * MIB;
    expect(await second(needing)).toBe('shop-mysql-2: copying (512 MiB)');
    target.endCopy({});
    expect(await second(needing)).toBe('shop-mysql-2: ready (512 MiB)');
    expect(target.up).toBe(false);
    // The kubelet starts the container again; the server boots on the copy, read-only, at the donor's GTID position.
    target.boot(`${A}:1-92`);
    clock.advance(15_000);
    expect(await second([primaryAt(0, `${A}:1-93`), replicaOf(1, 0, `${A}:1-93`), notReplicating(2, `${A}:1-92`)]))
      .toBe('shop-mysql-2 restarted on the copy; waiting for it to replicate from shop-mysql-0');
    expect(await second(caughtUp)).toBe(`shop-mysql-2 rebuilt from shop-mysql-1 in 45s (512 MiB copied, at GTID ${A}:1-92); it replicates from shop-mysql-0`);

    expect(target.sent).toEqual([
      CLONE_STATUS, CLONE_STATUS, // the latest clone before this one, and nothing of this rebuild yet
      CLONE_PLUGIN_STATUS, "SET GLOBAL clone_valid_donor_list = '127.0.0.1:3301'", cloneSql,
      CLONE_STATUS, // copying
      CLONE_STATUS, // the restarted operator: still copying
      CLONE_STATUS, 'SHUTDOWN', // the copy waits for a restart
      CLONE_STATUS, CLONE_STATUS, CLONE_STATUS, // restored; replicating; finished
    ]);
    expect(servers[1].sent).toEqual([]);
    expect(servers[0].sent).toEqual([]);
    expect(await record.read()).toEqual({ primary: name(0), bootstrapped: true,
      rebuildAttempts: [{ instance: name(2), count: 1, lastStartedAt: '2026-12-04T12:00:00.000Z' }] });
    expect(events.events.map((e) => `${e.type} ${e.reason}`)).toEqual(['Normal RebuildStarted', 'Normal RebuildCompleted']);
    expect(JSON.stringify([events.events, await record.read()])).not.toContain('secret');
  });

  it('a failed clone fails the rebuild with the server\'s error and backs off; the next one is not failed by the old row', async () => {
    const { record, events, servers, operator, clock } = setup({ primary: name(0), bootstrapped: true });
    const target = servers[2];
    const step = operator();
    expect(await step(needing)).toBe('started rebuilding shop-mysql-2 from shop-mysql-1');
    target.endCopy({ state: 'Failed', errorNo: 3862, errorMessage: "Clone Donor Error: 1045 : Access denied for user 'admin'@'127.0.0.1' (using password: YES)." },
      Object.assign(new Error('Clone Donor Error'), { errno: 3862 }));
    const error = "the copy from shop-mysql-1 failed: clone from 127.0.0.1:3301: 3862: Clone Donor Error: 1045 : Access denied for user 'admin'@'127.0.0.1' (using password: YES).";
    expect(await step(needing)).toBe(`the rebuild of shop-mysql-2 failed: ${error}`);
    expect((await record.read()).rebuildAttempts).toEqual([{ instance: name(2), count: 1, lastStartedAt: '2026-12-04T12:00:00.000Z', lastError: error }]);
    expect(events.events.at(-1)).toEqual({ type: 'Warning', reason: 'RebuildFailed', message: `the rebuild of shop-mysql-2 failed: ${error}` });
    const sentBefore = target.sent.length;
    expect(await step(needing)).toBe('nothing');
    expect(target.sent.length).toBe(sentBefore);

    clock.advance(60_000);
    expect(await step(needing)).toBe('started rebuilding shop-mysql-2 from shop-mysql-1');
    expect((await record.read()).rebuild?.previous).toBe('2026-12-04 12:00:00.400000');
    expect((await record.read()).rebuildAttempts).toEqual([expect.objectContaining({ count: 2 })]);
    expect(await step(needing)).toBe('shop-mysql-2: copying (0 MiB)');
  });

  it('a clone the server refuses to start (plugin not loaded) fails the rebuild naming why', async () => {
    const { servers, operator } = setup({ primary: name(0), bootstrapped: true });
    servers[2].plugin = [];
    const step = operator();
    await step(needing);
    expect(await step(needing)).toBe('the rebuild of shop-mysql-2 failed: the copy from shop-mysql-1 failed: '
      + 'shop-mysql-2: the clone plugin is not active (not loaded); the server config loads mysql_clone.so');
    expect(servers[2].sent.filter((s) => s.startsWith('CLONE INSTANCE') || s.startsWith('SET GLOBAL'))).toEqual([]);
  });

  it('a clone error that quotes the statement never carries the password into the Event', async () => {
    const { servers, operator, events } = setup({ primary: name(0), bootstrapped: true });
    const step = operator();
    await step(needing);
    // Refused before clone_status had a row of it: the statement's own error says why.
    servers[2].clone = undefined;
    servers[2].endCopy({ state: 'Not Started' }, new Error(`ER_CLONE_SYS_CONFIG: ${cloneSql}: donor not in clone_valid_donor_list`));
    servers[2].clone = undefined;
    expect(await step(needing)).toMatch(/^the rebuild of shop-mysql-2 failed: the copy from shop-mysql-1 failed: ER_CLONE_SYS_CONFIG: .*donor not in clone_valid_donor_list$/);
    expect(JSON.stringify(events.events)).not.toContain('a-secret-pw');
  });

  it('a clone past the rebuild\'s bound is abandoned and cancelled in the server', async () => {
    const { servers, operator, clock, record } = setup({ primary: name(0), bootstrapped: true });
    const step = operator();
    await step(needing);
    clock.advance(600_001);
    expect(await step(needing)).toBe('the rebuild of shop-mysql-2 failed: abandoned: the rebuild of shop-mysql-2 from shop-mysql-1 did not finish within 600s');
    expect(servers[2].sent.slice(-2)).toEqual([CLONE_STATUS, 'KILL QUERY 57']);
    expect(servers[2].clone?.state).toBe('Failed');
    expect((await record.read()).rebuild).toBeUndefined();
  });

  it('a diverged MySQL instance: its errant transaction and its binlog events are saved from SHOW BINLOG EVENTS, then it is cloned', async () => {
    const saved: string[] = [];
    const archive: ErrantArchive = { save: async (instance, n, gtids, text) => { saved.push(`${instance} ${n} ${gtids}\n${text}`); return `shop-errant-${instance}-${n}`; } };
    const { servers, operator, events, record } = setup({ primary: name(1), bootstrapped: true, quarantined: [name(0)] }, archive, 2);
    const gtidEvent = (pos: number, end: number, n: number) => ({ Log_name: 'binlog.000002', Pos: pos, Event_type: 'Gtid', Server_id: 100, End_log_pos: end,
      Info: `SET @@SESSION.GTID_NEXT= '${A}:${n}'` });
    const rows = (pos: number, table: string, xid: number) => [
      { Log_name: 'binlog.000002', Pos: pos, Event_type: 'Query', Server_id: 100, End_log_pos: pos + 75, Info: 'BEGIN' },
      { Log_name: 'binlog.000002', Pos: pos + 75, Event_type: 'Table_map', Server_id: 100, End_log_pos: pos + 135, Info: `table_id: 92 (${table})` },
      { Log_name: 'binlog.000002', Pos: pos + 135, Event_type: 'Write_rows', Server_id: 100, End_log_pos: pos + 185, Info: 'table_id: 92 flags: STMT_END_F' },
      { Log_name: 'binlog.000002', Pos: pos + 185, Event_type: 'Xid', Server_id: 100, End_log_pos: pos + 216, Info: `COMMIT /* xid=${xid} */` },
    ];
    servers[0].binlogs = {
      'binlog.000001': [{ Log_name: 'binlog.000001', Pos: 4, Event_type: 'Format_desc', Server_id: 100, End_log_pos: 127, Info: 'Server ver: 8.4.3, Binlog ver: 4' }],
      'binlog.000002': [
        { Log_name: 'binlog.000002', Pos: 4, Event_type: 'Format_desc', Server_id: 100, End_log_pos: 127, Info: 'Server ver: 8.4.3, Binlog ver: 4' },
        { Log_name: 'binlog.000002', Pos: 127, Event_type: 'Previous_gtids', Server_id: 100, End_log_pos: 198, Info: `${A}:1-80` },
        gtidEvent(198, 275, 90), ...rows(275, 'shop.orders', 88),
        gtidEvent(491, 568, 91), ...rows(568, 'shop.orders', 89),
      ],
    };
    servers[0].clone = undefined;
    const diverged = [notReplicating(0, `${A}:1-91`), primaryAt(1, `${A}:1-90,${B}:1-5`), replicaOf(2, 1, `${A}:1-90,${B}:1-5`)];
    const step = operator();
    expect(await step(diverged)).toBe('started rebuilding shop-mysql-0 from shop-mysql-2');
    // The newest binlog only: its Previous_gtids (A:1-80) are all on the primary, so older files hold nothing of its own.
    expect(servers[0].sent).toEqual([
      'SHOW BINARY LOGS', "SHOW BINLOG EVENTS IN 'binlog.000002' FROM 4 LIMIT 1000", "SHOW BINLOG EVENTS IN 'binlog.000002' FROM 784 LIMIT 1000",
      CLONE_STATUS, CLONE_STATUS, CLONE_PLUGIN_STATUS, "SET GLOBAL clone_valid_donor_list = '127.0.0.1:3302'",
      "CLONE INSTANCE FROM 'admin'@'127.0.0.1':3302 IDENTIFIED BY 'a-secret-pw'",
    ]);
    expect(saved).toEqual([`shop-mysql-0 1 ${A}:91\n# ${A}:91\nbinlog.000002:491\tGtid\tSET @@SESSION.GTID_NEXT= '${A}:91'\n`
      + 'binlog.000002:568\tQuery\tBEGIN\nbinlog.000002:643\tTable_map\ttable_id: 92 (shop.orders)\n'
      + 'binlog.000002:703\tWrite_rows\ttable_id: 92 flags: STMT_END_F\nbinlog.000002:753\tXid\tCOMMIT /* xid=89 */\n']);
    expect((await record.read()).errantTransactionsSaved).toEqual([{ instance: name(0), gtids: `${A}:91`, configMap: 'shop-errant-shop-mysql-0-1',
      savedAt: '2026-12-04T12:00:00.000Z' }]);
    expect(events.events.map((e) => e.reason)).toEqual(['ErrantTransactionsSaved', 'RebuildStarted']);
  });
});
