/**
 * Replaying archived binlogs into a restored MySQL 8.4 primary with the server's own applier (no
 * mysqlbinlog: none that reads 8.4 binlogs runs beside the operator). The restored primary's agent
 * places the plan's files, each checked against the SHA-256 the archive recorded, as the relay log
 * of channel `pitr` (src/agent/relay-logs.ts); the operator points the channel at its first file
 * (CHANGE REPLICATION SOURCE TO RELAY_LOG_FILE, RELAY_LOG_POS = 4; its source host a name nothing
 * connects to, as no receiver thread starts; the database manager reads only the default channel)
 * and starts only its applier, which stops before
 * the first transaction at or after the point in time (UNTIL SQL_BEFORE_GTIDS) or after the last
 * archived (SQL_AFTER_GTIDS). The applier skips what gtid_executed already holds, so overlapping
 * files are harmless, verifies every event's CRC32 (replica_sql_verify_checksum), and keeps each
 * transaction's GTID. It also skips events carrying its own server_id; the new stack's pods reuse
 * the old one's ids, so the server takes a free one while it replays. Done when gtid_executed holds
 * the plan's set; then the channel is reset (RESET REPLICA ALL deletes its relay logs).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { AgentClient, AgentTarget } from '../agent/client.js';
import { PITR_CHANNEL, relayLogName } from '../agent/relay-logs.js';
import { scrub } from '../mysql/sanitize.js';
import { quote, type Row } from '../mysql/sql/dialect.js';
import type { MysqlBinlogIndexObject } from './mysql-binlog-archive.js';
import type { MysqlReplayPlan } from './mysql-replay-plan.js';
import type { BackupStore } from './store.js';

export interface MysqlReplayOptions {
  plan: MysqlReplayPlan;
  /** The archived files' indexes by store key (their SHA-256 and the server ids their events carry). */
  indexes: ReadonlyMap<string, MysqlBinlogIndexObject>;
  store: BackupStore;
  agents: AgentClient;
  agent: AgentTarget;
  /** The restored primary's pod name, for messages. */
  target: string;
  /** One statement on the restored primary as the admin. */
  sql: (text: string) => Promise<Row[]>;
  /** Never in a message: the stack's passwords. */
  secrets: readonly string[];
  pollMs?: number;
  /** The replay fails when gtid_executed does not move for this long. */
  stallTimeoutMs?: number;
}

const FOR_CHANNEL = `FOR CHANNEL ${quote(PITR_CHANNEL)}`;
/**
 * The applier is refused on a channel without a source host ("MASTER_HOST was not set", seen on
 * MariaDB, which shares this code); no receiver thread ever connects to this one (RFC 2606 name).
 */
const NO_SOURCE = 'pitr.invalid';

/** Errors the channel's applier reports (its coordinator or a worker). */
const APPLIER_ERRORS = `SELECT LAST_ERROR_NUMBER AS errno, LAST_ERROR_MESSAGE AS message FROM performance_schema.replication_applier_status_by_coordinator `
  + `WHERE CHANNEL_NAME = ${quote(PITR_CHANNEL)} AND LAST_ERROR_NUMBER <> 0 UNION ALL SELECT LAST_ERROR_NUMBER, LAST_ERROR_MESSAGE `
  + `FROM performance_schema.replication_applier_status_by_worker WHERE CHANNEL_NAME = ${quote(PITR_CHANNEL)} AND LAST_ERROR_NUMBER <> 0`;

/** A server_id no replayed event carries: the server's own, or one above all of them. */
export function replayServerId(current: number, carried: ReadonlySet<number>): number {
  return carried.has(current) ? Math.max(current, ...carried) + 1 : current;
}

export async function replayMysqlBinlogs(opts: MysqlReplayOptions): Promise<void> {
  const { plan } = opts;
  if (plan.files.length === 0 || !plan.stop) return;
  const fail = (what: string): Error => new Error(scrub(`replaying the binlog archive into ${opts.target}: ${what}`, opts.secrets));
  const carried = new Set<number>();
  for (const key of plan.files) {
    const index = opts.indexes.get(key);
    if (!index) throw fail(`${opts.store.describe(key)} has no index`);
    carried.add(index.server);
    for (const t of index.transactions) carried.add(t.server);
  }
  await opts.agents.removeRelayLogs(opts.agent);
  try {
    for (const [i, key] of plan.files.entries()) {
      await opts.agents.placeRelayLog(opts.agent, i + 1, opts.indexes.get(key)!.sha256, await opts.store.get(key));
    }
    await applyRelayLogs(opts, carried, fail);
  } finally {
    await opts.agents.removeRelayLogs(opts.agent);
  }
}

async function applyRelayLogs(opts: MysqlReplayOptions, carried: ReadonlySet<number>, fail: (what: string) => Error): Promise<void> {
  const { plan, sql } = opts;
  const stop = plan.stop!;
  const [row] = await sql('SELECT @@GLOBAL.server_id AS id');
  const own = Number(row?.id);
  const replaying = replayServerId(own, carried);
  let channel = false;
  try {
    if (replaying !== own) await sql(`SET GLOBAL server_id = ${replaying}`);
    channel = true;
    await sql(`CHANGE REPLICATION SOURCE TO SOURCE_HOST = ${quote(NO_SOURCE)}, RELAY_LOG_FILE = ${quote(relayLogName(1))}, RELAY_LOG_POS = 4 ${FOR_CHANNEL}`);
    const until = 'before' in stop ? `SQL_BEFORE_GTIDS = ${quote(stop.before)}` : `SQL_AFTER_GTIDS = ${quote(stop.after)}`;
    await sql(`START REPLICA SQL_THREAD UNTIL ${until} ${FOR_CHANNEL}`);
    await waitApplied(opts, fail);
    await sql(`STOP REPLICA SQL_THREAD ${FOR_CHANNEL}`);
    if ('before' in stop) {
      const [past] = await sql(`SELECT GTID_SUBSET(${quote(stop.before)}, @@GLOBAL.gtid_executed) AS past`);
      if (Number(past?.past) === 1) throw fail(`${stop.before}, committed at or after the point in time, was applied`);
    }
    await sql(`RESET REPLICA ALL ${FOR_CHANNEL}`);
    channel = false;
  } finally {
    // A replay that failed leaves no channel behind (a statement refused here is not the error to report).
    if (channel) {
      await sql(`STOP REPLICA SQL_THREAD ${FOR_CHANNEL}`).catch(() => undefined);
      await sql(`RESET REPLICA ALL ${FOR_CHANNEL}`).catch(() => undefined);
    }
    if (replaying !== own) await sql(`SET GLOBAL server_id = ${own}`);
  }
}

async function waitApplied(opts: MysqlReplayOptions, fail: (what: string) => Error): Promise<void> {
  const { plan, sql } = opts;
  const pollMs = opts.pollMs ?? 500;
  const stallMs = opts.stallTimeoutMs ?? 300_000;
  let last = '';
  let movedAt = Date.now();
  for (;;) {
    const [state] = await sql(`SELECT GTID_SUBSET(${quote(plan.expected)}, @@GLOBAL.gtid_executed) AS done, @@GLOBAL.gtid_executed AS executed`);
    if (Number(state?.done) === 1) return;
    const errors = await sql(APPLIER_ERRORS);
    if (errors.length > 0) {
      throw fail(`the applier stopped with error ${errors[0].errno}: ${String(errors[0].message)} (files ${plan.files.join(', ')})`);
    }
    const executed = String(state?.executed ?? '');
    if (executed !== last) {
      last = executed;
      movedAt = Date.now();
    } else if (Date.now() - movedAt > stallMs) {
      throw fail(`gtid_executed stayed ${executed} for ${Math.round(stallMs / 1000)} s without reaching ${plan.expected}`);
    }
    await sleep(pollMs);
  }
}
