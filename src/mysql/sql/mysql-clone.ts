/**
 * Rebuilding a MySQL 8.4 instance with the clone plugin (manual 7.6.7, "The Clone Plugin"): the
 * plugin is loaded from the server config on every instance (plugin_load_add = mysql_clone.so);
 * the donor account needs BACKUP_ADMIN and the recipient's session CLONE_ADMIN (the operator's
 * admin account has ALL on both); the recipient names the donor in clone_valid_donor_list; CLONE
 * INSTANCE FROM replaces the recipient's data, GTID state included, and the server then restarts
 * on it. Without a supervisor to restart it the statement ends with error 3707 and the server keeps
 * running on its old data until it is restarted (7.6.7.3): the rebuilder shuts it down and the pod's
 * container starts again. performance_schema.clone_status survives the restart, so an operator that
 * restarted in the middle reads where the clone stands.
 */
import { isIP } from 'node:net';
import { asNumberOrNull, asText, quote, type Row } from './dialect.js';

export interface CloneDonor {
  /** A host name or IPv4 address: the clone plugin does not take IPv6 addresses. */
  host: string;
  port: number;
  user: string;
  password: string;
  /** The donor requires TLS: the clone connection must be encrypted (REQUIRE SSL). */
  tls?: boolean;
}

/** Whether the plugin is loaded: one row with PLUGIN_STATUS 'ACTIVE'. */
export const CLONE_PLUGIN_STATUS = "SELECT PLUGIN_STATUS AS status FROM information_schema.PLUGINS WHERE PLUGIN_NAME = 'clone'";

/** Restarts the recipient on a clone that could not restart it itself (error 3707): the container starts the server again. */
export const SHUTDOWN = 'SHUTDOWN';

/** A consistent copy of this server's data in `dir` (absolute, not existing yet; 7.6.7.2 "Cloning Data Locally"): a backup, no restart. */
export function cloneLocalStatement(dir: string): string {
  if (!dir.startsWith('/')) throw new Error(`clone directory ${dir} is not an absolute path`);
  return `CLONE LOCAL DATA DIRECTORY = ${quote(dir)}`;
}

/** clone_status's SOURCE of a local clone. */
const LOCAL_INSTANCE = 'LOCAL INSTANCE';

/** Cancels the clone running in session `id` (7.6.7.8 "Stopping a Cloning Operation"). */
export function cancelClone(id: number): string {
  return `KILL QUERY ${Math.trunc(id)}`;
}

/** "Restart server failed (mysqld is not managed by supervisor process)": the clone itself succeeded. */
export const ER_CLONE_NEEDS_RESTART = 3707;

function donorAddress(donor: CloneDonor): string {
  if (isIP(donor.host) === 6) throw new Error(`clone donor ${donor.host}: the clone plugin does not accept IPv6 addresses; use the pod's DNS name`);
  if (!/^[A-Za-z0-9.-]+$/.test(donor.host)) throw new Error(`clone donor '${donor.host}' is not a host name or IPv4 address`);
  if (!Number.isInteger(donor.port) || donor.port < 1 || donor.port > 65535) throw new Error(`clone donor port ${donor.port} is not a port`);
  return `${donor.host}:${donor.port}`;
}

/**
 * The recipient's statements, in order. The last one runs until the copy is complete and the
 * server restarts on it (or, unsupervised, ends with error 3707): clone_status says how it went.
 */
export function cloneRecipientStatements(donor: CloneDonor): string[] {
  const address = donorAddress(donor);
  return [
    `SET GLOBAL clone_valid_donor_list = ${quote(address)}`,
    `CLONE INSTANCE FROM ${quote(donor.user)}@${quote(donor.host)}:${donor.port} IDENTIFIED BY ${quote(donor.password)}`
      + (donor.tls ? ' REQUIRE SSL' : ''),
  ];
}

/**
 * The last clone on this instance (no row: none), with what tells whether it is this rebuild's
 * (its begin time, as text), whether its session still runs, whether the server restarted since it
 * began (its uptime against the time since then), and the bytes its stages moved.
 */
export const CLONE_STATUS = 'SELECT s.PID AS pid, s.STATE AS state, s.ERROR_NO AS error_no, s.ERROR_MESSAGE AS error_message, s.SOURCE AS source, '
  + "DATE_FORMAT(s.BEGIN_TIME, '%Y-%m-%d %H:%i:%s.%f') AS begin_time, "
  + 'TIMESTAMPDIFF(MICROSECOND, s.BEGIN_TIME, s.END_TIME) DIV 1000 AS duration_ms, '
  + 'TIMESTAMPDIFF(SECOND, s.BEGIN_TIME, NOW()) AS begun_seconds_ago, '
  + 's.GTID_EXECUTED AS gtid_executed, s.BINLOG_FILE AS binlog_file, s.BINLOG_POSITION AS binlog_position, '
  + '(SELECT COUNT(*) FROM performance_schema.threads t WHERE t.PROCESSLIST_ID = s.PID) AS clone_sessions, '
  + "(SELECT VARIABLE_VALUE FROM performance_schema.global_status WHERE VARIABLE_NAME = 'Uptime') AS uptime, "
  + '(SELECT IFNULL(SUM(p.DATA), 0) FROM performance_schema.clone_progress p) AS bytes '
  + 'FROM performance_schema.clone_status s';

export type CloneProgress =
  | { state: 'none' }
  /** `id`: the clone's begin time, which tells it from an older clone. */
  | { state: 'running'; id: string; source: string; bytes: number; /** The session running it (KILL QUERY cancels it). */ session: number }
  /** The copy is complete and the server has not restarted on it since (error 3707, or its answer lost). */
  | { state: 'awaiting-restart'; id: string; source: string; bytes: number }
  | { state: 'completed'; id: string; source: string; bytes: number; durationMs: number; gtid: string; binlogFile: string; binlogPosition: number }
  | { state: 'failed'; id: string; source: string; error: string };

export function parseCloneStatus(rows: Row[]): CloneProgress {
  const row = rows[0];
  if (!row) return { state: 'none' };
  const id = asText(row.begin_time);
  const source = asText(row.source);
  const bytes = asNumberOrNull(row.bytes) ?? 0;
  const uptime = asNumberOrNull(row.uptime);
  const begunAgo = asNumberOrNull(row.begun_seconds_ago);
  // The server started after the clone began: it runs on the copy.
  const restarted = uptime !== null && begunAgo !== null && uptime < begunAgo;
  const sessionRuns = Number(row.clone_sessions ?? 0) > 0;
  // A local clone (a backup) writes another directory: nothing waits for a restart.
  const applied = restarted || source === LOCAL_INSTANCE;
  const completed = (): CloneProgress => (applied
    ? { state: 'completed', id, source, bytes, durationMs: asNumberOrNull(row.duration_ms) ?? 0, gtid: asText(row.gtid_executed).replace(/\s+/g, ''),
      binlogFile: asText(row.binlog_file), binlogPosition: asNumberOrNull(row.binlog_position) ?? 0 }
    : { state: 'awaiting-restart', id, source, bytes });
  switch (asText(row.state)) {
    case 'Completed': return completed();
    case 'Failed':
      if (Number(row.error_no) === ER_CLONE_NEEDS_RESTART) return completed();
      return { state: 'failed', id, source, error: `${asText(row.error_no)}: ${asText(row.error_message)}` };
    case 'In Progress': case 'Not Started':
      // Its session gone without a failure recorded: the copy ended and waits for the restart that applies it.
      if (sessionRuns || restarted) return { state: 'running', id, source, bytes, session: sessionRuns ? Number(row.pid) : 0 };
      return { state: 'awaiting-restart', id, source, bytes };
    default: return { state: 'failed', id, source, error: `unknown clone state '${asText(row.state)}'` };
  }
}
