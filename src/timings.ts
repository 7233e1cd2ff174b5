/**
 * Every duration the operator waits for, with its default: one place to read and tune them. The
 * `run` flags set those a user may need to (see src/controller/flags.ts).
 */
import type { LeaseTimings } from './kube/leader-election.js';

export interface DatabaseTimings {
  /** Each database manager probes every instance this often; pod events make it look sooner. */
  probeIntervalMs: number;
  /** Connecting to an instance gives up after this long (a hung server must never hang the manager). */
  connectTimeoutMs: number;
  /** One statement gives up after this long, waits for a GTID set excepted. */
  queryTimeoutMs: number;
  /** A failover candidate has this long to apply its relay log before it is promoted. */
  applyRelayLogMs: number;
  /** A switchover not finished this long after its first attempt began rolls back (the old primary stays). */
  switchoverTimeoutMs: number;
  /** No step of an action (failover, switchover, bootstrap...) starts after this long. */
  actionDeadlineMs: number;
  /** A switchover that failed is not tried again before this long. */
  switchoverBackoffMs: number;
  /** A hard-restarted instance has this long to come back read-only before it is fenced by SQL instead. */
  restartSettleMs: number;
  /** A rolling update waits this long for an instance it replaced to be back in replication before it reports itself stuck. */
  rollTimeoutMs: number;
  /** After a rolling update's switchover, the old primary is replaced only this long after (Services and clients move off it first). */
  rollDrainMs: number;
  /** Replica lag and GTID positions alone (they change with every write) reach the status at most this often. */
  positionsEveryMs: number;
  /** A manager that could not start (its stack's Secret not there yet) is tried again after this long. */
  startRetryMs: number;
  /**
   * Each instance serving TLS reloads its certificate files this often (FLUSH SSL): a renewed
   * certificate reaches the mounted Secret within the kubelet's sync, then the server within this.
   */
  tlsReloadIntervalMs: number;
  /** A rebuild of an instance from a donor's copy not finished this long after it started is abandoned. */
  rebuildTimeoutMs: number;
  /** A second rebuild of the same instance waits this long after the first started; each further one twice as long... */
  rebuildBackoffMs: number;
  /** ...up to this. */
  rebuildBackoffMaxMs: number;
}

export interface Timings {
  /** The leader's Lease. */
  lease: LeaseTimings;
  /** Every stack is reconciled again this often, even without events (level-triggered safety net). */
  resyncPeriodMs: number;
  /** A stack waiting for a child to finish terminating is reconciled again after this long. */
  terminatingRecheckMs: number;
  /** A request to the API server gives up after this long. */
  apiRequestTimeoutMs: number;
  /** A kind of another project's CRD found not served (Gateway API, cert-manager) is looked for again after this long. */
  optionalApiRecheckMs: number;
  /** The same Event about the same object is counted in memory, not written again, within this window. */
  eventDedupeWindowMs: number;
  /** A failed watch is started again after `minMs`, doubling with each failure in a row up to `maxMs`. */
  watchRetry: { minMs: number; maxMs: number };
  database: DatabaseTimings;
}

export const DEFAULT_TIMINGS: Timings = {
  lease: { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 },
  resyncPeriodMs: 10 * 60_000,
  terminatingRecheckMs: 5_000,
  apiRequestTimeoutMs: 30_000,
  optionalApiRecheckMs: 30_000,
  eventDedupeWindowMs: 10 * 60_000,
  watchRetry: { minMs: 500, maxMs: 30_000 },
  database: {
    probeIntervalMs: 500,
    connectTimeoutMs: 500,
    queryTimeoutMs: 2_000,
    applyRelayLogMs: 10_000,
    switchoverTimeoutMs: 10_000,
    actionDeadlineMs: 30_000,
    switchoverBackoffMs: 30_000,
    restartSettleMs: 30_000,
    rollTimeoutMs: 300_000,
    rollDrainMs: 5_000,
    positionsEveryMs: 10_000,
    startRetryMs: 5_000,
    tlsReloadIntervalMs: 10 * 60_000,
    rebuildTimeoutMs: 2 * 3_600_000,
    rebuildBackoffMs: 60_000,
    rebuildBackoffMaxMs: 3_600_000,
  },
};

export type TimingOverrides = Partial<Omit<Timings, 'database'>> & { database?: Partial<DatabaseTimings> };

/** The defaults with some values replaced. */
export function timingsWith(overrides: TimingOverrides): Timings {
  return { ...DEFAULT_TIMINGS, ...overrides, database: { ...DEFAULT_TIMINGS.database, ...overrides.database } };
}
