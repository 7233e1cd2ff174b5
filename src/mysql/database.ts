/**
 * One database server as the manager acts on it: the operations, not the SQL. One implementation
 * per dialect speaks SQL over short sessions (sql/sql-database.ts); tests use a fake. Copies for
 * rebuilds go through the agents (ports.ts InstanceRebuilder), not through SQL.
 */
import type { BinlogSearch } from './binlog-transactions.js';
import type { ServerState } from './observation.js';
import type { InstanceAddress } from './ports.js';

export interface SemiSyncSettings {
  source: boolean;
  replica: boolean;
  /** Long, so a source never silently degrades to asynchronous replication. */
  timeoutMs: number;
}

export interface ReplicationSettings {
  /** How long a replica waits on a silent source before it reconnects; heartbeats come twice as often. */
  netTimeoutSeconds: number;
  /** Absent: the server has no semi-sync (MySQL without the plugins); leave it alone. */
  semiSync?: SemiSyncSettings;
}

export interface Database {
  /** What the server reports now: read-only, positions, replication, semi-sync. */
  status(): Promise<ServerState>;
  /** `ioThreadOnly`: stop receiving and keep applying what was received. */
  stopReplication(opts?: { ioThreadOnly?: boolean }): Promise<void>;
  /** `sqlThreadOnly`: apply what was received without connecting to the source. */
  startReplication(opts?: { sqlThreadOnly?: boolean }): Promise<void>;
  /** Read-only, replicating from `source` from where its own binlog ends. */
  pointAt(source: InstanceAddress, settings: ReplicationSettings): Promise<void>;
  /** True when the server has applied `gtids` within `timeoutMs`. */
  waitForGtidSet(gtids: string, timeoutMs: number): Promise<boolean>;
  /** No longer a replica of anyone, with the given semi-sync settings; still read-only. */
  promote(semiSync?: SemiSyncSettings): Promise<void>;
  setReadOnly(readOnly: boolean): Promise<void>;
  setSemiSync(settings: SemiSyncSettings): Promise<void>;
  /** Ends every client connection but the operator's and replication's. */
  killClients(): Promise<void>;
  /** Replication user, app database, app user and the exporter's account: once, on the primary only. */
  bootstrapUsers(): Promise<void>;
  /** The mysqld-exporter account alone, for a stack bootstrapped before it existed: on the primary only. */
  createExporterAccount(): Promise<void>;
  /** Reads its certificate, key and CA files again (a renewal), without a restart; connections stay. */
  reloadTls(): Promise<void>;
  /**
   * The binlog events of the transactions in `gtids` and not in `exclude` (sets in the server's
   * notation), searched from the newest binlog file back, as long as older files may hold some,
   * reading at most `maxEvents` events. Secrets scrubbed.
   */
  binlogTransactions(gtids: string, exclude: string, maxEvents: number): Promise<BinlogSearch>;
}

/** The Database behind an address; connecting happens per operation. */
export type DatabaseConnector = (addr: InstanceAddress) => Database;
