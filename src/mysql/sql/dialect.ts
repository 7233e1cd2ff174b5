/** One interface for the SQL each engine speaks; one module per engine implements it. */
import mysql from 'mysql2';
import type { DatabaseEngine } from '../../api/types.js';
import type { SemiSyncSettings } from '../database.js';
import type { GtidFlavor } from '../gtid.js';
import type { ServerState } from '../observation.js';
import type { ManagerCredentials } from '../ports.js';

export type Row = Record<string, unknown>;

export interface SourceSettings {
  host: string;
  port: number;
  user: string;
  password: string;
  /** How often an idle source sends a heartbeat, so a replica notices a hung source quickly. */
  heartbeatSeconds: number;
  /**
   * TLS to the source: absent, none. `caFile` is the CA bundle on the replica's own filesystem (the
   * one it serves with); the chain is verified against it, the host name is not (sources are
   * dialled by pod IP, which no certificate names). Empty caFile: encrypted, not verified.
   */
  tls?: { caFile: string };
}

export interface Dialect {
  readonly engine: DatabaseEngine;
  readonly flavor: GtidFlavor;
  /**
   * Queries of one probe, sent together in one round trip; their results go to parseProbe. Without
   * `semiSyncStatus`, the variables row carries the semi-sync status too and parseProbe gets no rows for it.
   */
  readonly probeSql: { variables: string; replicaStatus: string; semiSyncStatus?: string };
  parseProbe(variables: Row, replicaStatus: Row[], semiSyncStatus: Row[]): ServerState;
  setReadOnly(readOnly: boolean): string[];
  stopReplicaIoThread(): string;
  stopReplica(): string;
  startReplica(): string;
  startReplicaSqlThread(): string;
  resetReplicaAll(): string;
  /** Before pointing a server that wrote its own transactions at a new source. */
  alignReplicaPosition(): string[];
  changeSource(source: SourceSettings): string;
  /** The CA bundle file the server itself serves TLS with ('' without TLS): what it trusts as a replica. */
  readonly ownCaFileSql: string;
  /** How long a replica waits on a silent source before it reconnects. */
  replicaNetTimeout(seconds: number): string;
  semiSync(settings: SemiSyncSettings): string[];
  /** A query returning one row whose single column tells whether `gtids` got applied in time. */
  waitApplied(gtids: string, timeoutSeconds: number): string;
  waitSucceeded(row: Row): boolean;
  /** Replication user, app database and app user: run once, on the primary only. */
  bootstrapUsers(credentials: ManagerCredentials): string[];
  /** mysqld-exporter's account (part of bootstrapUsers): read-only status and replication state. */
  exporterAccount(credentials: ManagerCredentials): string[];
  /** Reloads the server's TLS files (MariaDB FLUSH SSL, MySQL ALTER INSTANCE RELOAD TLS). */
  reloadTls(): string;
  /** Ids of client connections other than ours and the replication/system threads. */
  clientConnections(excludeUsers: string[]): string;
  killConnection(id: number): string;
  /** The binlog files, oldest first (column Log_name). */
  readonly binaryLogsSql: string;
  /** Up to `limit` events of binlog `file` from position `from` (SHOW BINLOG EVENTS rows). */
  binlogEvents(file: string, from: number, limit: number): string;
  /** The transaction a SHOW BINLOG EVENTS row begins (its GTID event), in the server's notation; undefined for other events. */
  gtidOfEvent(type: string, info: string): string | undefined;
  /** The GTIDs before this binlog file, from its first events (MariaDB Gtid_list, MySQL Previous_gtids); undefined for other events. */
  previousGtidsOfEvent(type: string, info: string): string | undefined;
}

const SET_GLOBAL = /^SET GLOBAL (.+)$/s;

/**
 * Consecutive `SET GLOBAL` statements as one (`SET GLOBAL a = 1, GLOBAL b = 2`): one round trip
 * instead of several in a failover's path, and all or none of them applied, since a SET with
 * several assignments fails whole.
 */
export function combineSetGlobals(statements: readonly string[]): string[] {
  const out: string[] = [];
  let merged: string[] = [];
  const flush = (): void => {
    if (merged.length) out.push(`SET GLOBAL ${merged.join(', GLOBAL ')}`);
    merged = [];
  };
  for (const sql of statements) {
    const m = SET_GLOBAL.exec(sql);
    if (m) merged.push(m[1]);
    else {
      flush();
      out.push(sql);
    }
  }
  flush();
  return out;
}

export function quote(value: string): string {
  return mysql.escape(value);
}

export function quoteIdentifier(value: string): string {
  return mysql.escapeId(value);
}

/**
 * A database name as the object of a GRANT: "_" and "%" there are wildcards (`m_sql` would match
 * `mysql`), so they are escaped and the grant names exactly one database.
 */
export function grantDatabase(name: string): string {
  return quoteIdentifier(name.replace(/[\\_%]/g, '\\$&'));
}

export function asBool(v: unknown): boolean {
  if (typeof v === 'number' || typeof v === 'bigint') return Number(v) !== 0;
  return ['1', 'ON', 'YES', 'TRUE'].includes(String(v ?? '').toUpperCase());
}

export function asText(v: unknown): string {
  return v === null || v === undefined ? '' : String(v);
}

export function asNumberOrNull(v: unknown): number | null {
  if (v === null || v === undefined || v === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/** SHOW STATUS rows (Variable_name, Value) as a map. */
export function statusMap(rows: Row[]): Map<string, string> {
  return new Map(rows.map((r) => [asText(r.Variable_name).toLowerCase(), asText(r.Value)]));
}
