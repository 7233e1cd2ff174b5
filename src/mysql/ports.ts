/**
 * What the database manager needs from the outside world. The operator plugs in Kubernetes-backed
 * implementations (pods, WebStack status, pod labels, Events); tests and the benchmark plug in
 * in-memory ones. Nothing here knows about Kubernetes.
 */
import type { DATABASE_DEGRADED, DATABASE_READY, FAILOVER_BLOCKED, SEMI_SYNC_DEGRADED } from '../api/conditions.js';
import type { DatabaseEngine, InstanceStatus, ReplicationMode } from '../api/types.js';

export interface InstanceAddress {
  /** Pod name, e.g. `shop-mysql-1`; the ordinal after the last '-' gives server_id 100 + ordinal. */
  name: string;
  host: string;
  port: number;
  /**
   * Its pod runs an older template than its StatefulSet's update revision. The StatefulSet updates
   * OnDelete: the manager rolls such instances itself, replicas first and the primary after a
   * switchover (src/mysql/rollout.ts).
   */
  outdated?: boolean;
  /** false while its pod is not Ready (the Services don't route to it yet); absent when unknown. */
  ready?: boolean;
  /**
   * The instance serves TLS with the stack's certificate and requires it (its pod mounts the
   * certificate): the manager and the replicas of it connect with TLS. Absent: a pod from before
   * the stack had certificates, reached without TLS until it is restarted with them.
   */
  tls?: boolean;
}

/** Who exists now (the StatefulSet's pods, addressed through the headless Service). */
export interface ClusterTopology {
  instances(): Promise<InstanceAddress[]>;
}

export interface FailoverInProgress {
  kind: 'failover' | 'switchover';
  from: string;
  to: string;
  reason: string;
  /** ISO timestamp. */
  startedAt: string;
}

export interface LastFailover {
  kind: 'failover' | 'switchover';
  from: string;
  to: string;
  reason: string;
  startedAt: string;
  durationMs: number;
}

/** The rebuild in progress (one per stack at a time): a restarted manager resumes it. */
export interface RebuildInProgress {
  instance: string;
  donor: string;
  reason: string;
  /** ISO timestamp. */
  startedAt: string;
  /**
   * The target's latest rebuild as its rebuilder named it before this one began (InstanceRebuilder.latest;
   * MySQL: the last clone's begin time), so that one's outcome is never taken for this one's.
   */
  previous?: string;
}

/** The rebuilds of one instance so far: the next waits longer each time (see planRebuild). */
export interface RebuildAttempts {
  instance: string;
  count: number;
  /** ISO timestamp of the latest start. */
  lastStartedAt: string;
  /** Why the latest one failed or was abandoned; absent once one completed. */
  lastError?: string;
}

/** A diverged instance's own transactions, saved before a rebuild replaced them. */
export interface SavedErrant {
  instance: string;
  gtids: string;
  /** Where a user reads them and the binlog events that held them (ErrantArchive). */
  configMap: string;
  /** ISO timestamp. */
  savedAt: string;
}

/** The durable truth a restarted manager reads back (the WebStack status in the operator). */
export interface ClusterState {
  primary?: string;
  bootstrapped?: boolean;
  /** The mysqld-exporter account exists (made at bootstrap; for a stack bootstrapped before it existed, afterwards). */
  exporterAccount?: boolean;
  quarantined?: string[];
  failoverInProgress?: FailoverInProgress;
  lastFailover?: LastFailover;
  rebuild?: RebuildInProgress;
  rebuildAttempts?: RebuildAttempts[];
  errantTransactionsSaved?: SavedErrant[];
}

/** A patch sets the given keys; a key set to `null` is removed. */
export type ClusterStatePatch = { [K in keyof ClusterState]?: ClusterState[K] | null };

export interface ClusterRecord {
  read(): Promise<ClusterState>;
  write(patch: ClusterStatePatch): Promise<void>;
}

/** A condition the manager owns, without times: the writer stamps them when the status changes. */
export interface DatabaseCondition {
  type: typeof DATABASE_READY | typeof DATABASE_DEGRADED | typeof SEMI_SYNC_DEGRADED | typeof FAILOVER_BLOCKED;
  status: 'True' | 'False';
  reason: string;
  message: string;
}

/** What the manager observed, for the user: each instance, and the conditions it owns. */
export interface DatabaseReport {
  instances: InstanceStatus[];
  conditions: DatabaseCondition[];
}

/** Publishes the report beside the record (status.database and the conditions in the operator), never undoing another writer. */
export interface StatusWriter {
  publish(report: DatabaseReport): Promise<void>;
}

export type RoleLabel = 'primary' | 'replica' | 'quarantined' | 'fenced';

/** Moves the role labels on the pods so the primary and replicas Services follow. */
export interface RoleLabeler {
  setRoles(roles: Record<string, RoleLabel | undefined>): Promise<void>;
}

/**
 * Restarts an instance HARD (SIGKILL of the server, same data): no graceful shutdown, which would
 * let commits waiting for a semi-sync acknowledgement complete. Crash recovery with
 * init_rpl_role = SLAVE then rolls those back and the instance comes back read-only. Resolves once
 * the kill is done (the instance may still be starting again).
 */
export interface InstanceRestarter {
  restart(name: string): Promise<void>;
}

/**
 * SIGKILL of an instance's server where it runs (the agent in its pod), nothing else: no fallback,
 * so it is quick or it fails. A failover kills a primary that stopped answering (hung, not gone)
 * before it stops its replicas' receivers: a receiver connecting to a hung server lets go of it
 * only after its connect timeout (about 2 s on MariaDB), one to a dead server at once; and a
 * killed primary can never resume and hand clients or replicas a write from before the failover.
 */
export interface InstanceKiller {
  kill(name: string): Promise<void>;
}

/**
 * Replaces an instance by a fresh one from its StatefulSet's current template, on the same data:
 * the operator deletes its pod (gracefully, so the server shuts down cleanly) and the StatefulSet
 * recreates it. Resolves once the deletion is accepted.
 */
export interface InstanceRoller {
  replace(name: string): Promise<void>;
}

/** Where a rebuild of an instance from a donor's physical copy stands, as the target's agent tells. */
export type RebuildProgress =
  | { phase: 'idle' }
  | { phase: 'copying' | 'preparing' | 'ready'; bytes: number }
  /** The target booted on the copy, at the donor's GTID position `gtid`; the manager points its replication, then finishes the rebuild. */
  | { phase: 'restored'; bytes: number; durationMs: number; gtid: string }
  | { phase: 'failed'; error: string };

/**
 * Replaces an instance's data by a physical copy of a donor's: the target restarts on the copy, at
 * the donor's GTID position, read-only, replication not started. One per engine: MariaDB through
 * the agents in the pods (mariadb-backup), MySQL 8.4 through SQL (the clone plugin).
 */
export interface InstanceRebuilder {
  /** Starts the copy and returns at once; refused while another rebuild of `target` is not finished. */
  start(target: string, donor: string): Promise<void>;
  /** `previous`: the rebuild's record says the target's latest rebuild before it was this one (see `latest`): not this rebuild's. */
  progress(target: string, previous?: string): Promise<RebuildProgress>;
  /** What names the target's latest rebuild, when its outcome outlives `finish` (MySQL's clone_status); undefined: none, or forgotten by `finish`. */
  latest?(target: string): Promise<string | undefined>;
  /** Forgets a restored or failed rebuild of `target`. */
  finish(target: string): Promise<void>;
}

/** Where a diverged instance's transactions are kept for a user to read (the operator: a ConfigMap beside the stack). */
export interface ErrantArchive {
  /**
   * Saves the `n`-th set of transactions of `instance` (its GTIDs and the binlog events that hold
   * them, as text); the same `n` again replaces it. Resolves with the name a user looks for.
   */
  save(instance: string, n: number, gtids: string, events: string): Promise<string>;
}

export interface EventSink {
  event(type: 'Normal' | 'Warning', reason: string, message: string): void;
}

/**
 * What the manager connects and bootstraps with: the stack Secret's credentials plus the app
 * database and user from the spec. Secrets: never logged, never in an error message or Event.
 */
export interface ManagerCredentials {
  adminUser: string;
  adminPassword: string;
  replicationUser: string;
  replicationPassword: string;
  databaseName: string;
  appUser: string;
  appPassword: string;
  /** The mysqld-exporter sidecars' account: server status only, no writes. */
  exporterUser: string;
  exporterPassword: string;
}

/** The part of the WebStack spec the manager acts on. */
export interface ManagerSpec {
  engine: DatabaseEngine;
  /** spec.database.primary; '' when no switchover is requested. */
  desiredPrimary: string;
  /**
   * spec.database.replicas: a primary at or beyond this ordinal is about to be scaled away, so
   * the manager switches over to a surviving instance first (the reconciler holds the StatefulSet
   * at the primary's size until then). Absent: no scale-down is pending.
   */
  replicas?: number;
  failoverEnabled: boolean;
  failureThresholdSeconds: number;
  replicationMode: ReplicationMode;
  semiSyncTimeoutSeconds: number;
  /** The stack is being restored from a backup: its replicas are rebuilt from the primary only once the restore is done. */
  restoring?: boolean;
  /**
   * Instances a user fenced (src/api/fencing.ts): out of service until unfenced. Never the primary
   * (a fenced primary is switched over), never a candidate, not repaired. Absent: none.
   */
  fenced?: string[];
}
