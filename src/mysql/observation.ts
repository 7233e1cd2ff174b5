/** What one probe of one database instance saw: plain data, the planner's only input about the servers. */
import type { GtidSet } from './gtid.js';

/** refused: nothing listens (a crashed server, a fast signal); timeout: a hung server or network. */
export type ProbeErrorKind = 'refused' | 'timeout' | 'auth' | 'other';

/** 'Connecting' means the replica has lost (or not yet reached) its source. */
export type IoThreadState = 'Yes' | 'Connecting' | 'No';

export interface ReplicaObservation {
  sourceHost: string;
  sourcePort: number;
  /** The replica connects to its source with TLS (Master_SSL_Allowed / Source_SSL_Allowed). */
  sourceTls?: boolean;
  ioThread: IoThreadState;
  sqlThread: boolean;
  lastIoError: string;
  /** The receiver's last error number (Last_IO_Errno); 0 when none. */
  lastIoErrno: number;
  lastSqlError: string;
  secondsBehind: number | null;
  /** Transactions received from the source (MySQL Retrieved_Gtid_Set, MariaDB Gtid_IO_Pos). */
  retrieved: GtidSet;
  retrievedText: string;
}

export interface SemiSyncObservation {
  /** The server knows semi-sync at all (MySQL: the plugins are loaded; MariaDB: always). */
  available: boolean;
  sourceEnabled: boolean;
  replicaEnabled: boolean;
  /** The source is currently waiting for acks (not degraded to async). */
  sourceActive: boolean;
  /** Replicas currently acknowledging. */
  sourceClients: number;
  replicaActive: boolean;
}

export interface ServerState {
  serverId: number;
  /** Who originates this server's own transactions: server_uuid on MySQL, server_id on MariaDB. */
  sourceId: string;
  readOnly: boolean;
  /** What containment checks compare: MySQL gtid_executed, MariaDB gtid_binlog_state. */
  executed: GtidSet;
  /** The position shown to users and waited for: MySQL gtid_executed, MariaDB gtid_binlog_pos. */
  executedText: string;
  logReplicaUpdates: boolean;
  /** Absent when no replication source is configured. */
  replica?: ReplicaObservation;
  semiSync: SemiSyncObservation;
}

export interface InstanceObservation {
  name: string;
  host: string;
  port: number;
  /** Its pod runs an outdated template (see InstanceAddress). */
  outdated?: boolean;
  /** false while its pod is not Ready (see InstanceAddress). */
  ready?: boolean;
  /** It serves TLS (see InstanceAddress). */
  tls?: boolean;
  /** Present exactly when the instance answered. */
  state?: ServerState;
  error?: { kind: ProbeErrorKind; message: string };
}

/** Everything the replica has or will have once its relay log is applied. */
export function knownTransactions(s: ServerState): GtidSet {
  return s.replica ? s.executed.union(s.replica.retrieved) : s.executed;
}
