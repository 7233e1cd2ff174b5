/**
 * decide: observations + the recorded truth + spec + clock -> exactly one action, with a reason.
 * Pure; every branch is covered by the table in test/mysql/planner.test.ts.
 */
import type { GtidSet } from './gtid.js';
import { knownTransactions, type InstanceObservation, type ServerState } from './observation.js';
import type { ClusterState, ManagerSpec, RoleLabel } from './ports.js';
import { decideRollout } from './rollout.js';
import { semiSyncSuspension } from './semi-sync-suspension.js';

export interface PlannerInput {
  now: number;
  spec: ManagerSpec;
  record: ClusterState;
  observations: InstanceObservation[];
  /** Since when the recorded primary has been unreachable on every probe (manager memory only). */
  primaryUnreachableSince?: number;
  /** The primary's executed set when last seen (manager memory only; sharpens errant checks). */
  lastPrimaryExecuted?: GtidSet;
  /** A failed or rolled-back switchover is not retried before `until`; `why` says what happened, for the condition. */
  switchoverBackoff?: { until: number; why: Blocked };
  /** Present when instances can be restarted hard (the operator deletes their pods); absent: fences are by SQL only. */
  restarts?: {
    /** How long a restarted instance may take to come back read-only before it is fenced by SQL instead. */
    settleMs: number;
    /** Instances restarted by a fence and not seen read-only since, with when (manager memory only). */
    restartedAt: Readonly<Record<string, number>>;
  };
  /** The instance whose semi-sync wait the manager suspended, until it resumes it (manager memory only; for the Event). */
  semiSyncSuspendedOn?: string;
  /** Present when outdated instances can be replaced (the operator deletes their pods); absent: no rolling update. */
  rollout?: {
    /** How long a replaced instance may take to be back in replication before the rollout reports itself stuck. */
    timeoutMs: number;
    /** How long a former primary is left to its departing clients after a switchover before it is replaced. */
    drainMs: number;
    /** The instance the rollout replaced last, and when (manager memory only). */
    replaced?: { instance: string; at: number };
  };
}

/** restart: a hard restart, which rolls back commits waiting for a semi-sync ack; sql: kill clients and set read-only. */
export type FenceMethod = 'restart' | 'sql';

export type Fix =
  | { kind: 'fence'; instance: string; method: FenceMethod }
  | { kind: 'promote'; instance: string }
  /**
   * The primary's semi-sync wait on (`wait`) or off. `suspended`: off only while the manager has
   * taken away the last replica that could acknowledge (semi-sync-suspension.ts); `resumed`: on
   * again after such a suspension.
   */
  | { kind: 'semiSyncSource'; instance: string; wait: boolean; suspended?: string; resumed?: boolean }
  | { kind: 'semiSyncReplica'; instance: string }
  /** The mysqld-exporter account, on the primary of a stack bootstrapped before it existed. */
  | { kind: 'exporterAccount'; instance: string };

/** Why nothing can be done now, for a condition and an Event. */
export interface Blocked {
  reason: string;
  message: string;
}

export type Action =
  | { kind: 'none'; reason: string; blocked?: Blocked }
  | { kind: 'bootstrap'; primary: string; reason: string }
  | { kind: 'configure'; fixes: Fix[]; reason: string }
  | { kind: 'rejoin'; instance: string; unquarantine: boolean; reason: string }
  | { kind: 'quarantine'; instance: string; errant: string; reason: string }
  | { kind: 'failover'; from: string; to: string; reason: string }
  | { kind: 'switchover'; from: string; to: string; reason: string }
  /** Replace an instance's pod by one from the current template (a rolling update; see rollout.ts). */
  | { kind: 'roll'; instance: string; reason: string };

export function ordinalOf(name: string): number {
  const n = Number(name.slice(name.lastIndexOf('-') + 1));
  return Number.isInteger(n) ? n : Number.MAX_SAFE_INTEGER;
}

function byOrdinal(a: InstanceObservation, b: InstanceObservation): number {
  return ordinalOf(a.name) - ordinalOf(b.name) || a.name.localeCompare(b.name);
}

type Reachable = InstanceObservation & { state: ServerState };

function reachable(o: InstanceObservation): o is Reachable {
  return o.state !== undefined;
}

/** Same address, and TLS exactly when the source serves it (a source restarted with certificates is re-pointed). */
export function replicatesFrom(s: ServerState, source: InstanceObservation): boolean {
  return !!s.replica && s.replica.sourceHost === source.host && s.replica.sourcePort === source.port
    && !!s.replica.sourceTls === !!source.tls;
}

/**
 * What `replica` has that `primary` lacks. Transactions originated by the primary itself are
 * excluded: the replica may have applied one the primary committed after it was probed.
 */
export function errantTransactions(replica: ServerState, primary: ServerState): GtidSet {
  const extra = replica.executed.subtract(primary.executed);
  return extra.subtract(extra.fromSource(primary.sourceId));
}

export type CandidateChoice = { ok: true; name: string } | { ok: false; blocked: Blocked };

/**
 * The replica to promote when `failed` is gone: reachable, not quarantined, able to apply its
 * relay log, without transactions of its own that nobody else has, and holding (received or
 * applied) everything any other survivor holds — so no acknowledged write is left behind. A fenced
 * instance is never chosen, but what it holds counts (it may have acknowledged a write).
 */
export function pickCandidate(
  observations: InstanceObservation[], failed: string, quarantined: readonly string[], spec: ManagerSpec,
  lastPrimaryExecuted?: GtidSet,
): CandidateChoice {
  const survivors = observations.filter(reachable).filter((o) => o.name !== failed && !quarantined.includes(o.name));
  const known = new Map(survivors.map((o) => [o.name, knownTransactions(o.state)]));
  // A survivor's own transactions that no one else (nor the last primary seen) has are errant:
  // it must not be promoted, and nobody else needs to contain them.
  const errant = new Map(survivors.map((o) => {
    let others = lastPrimaryExecuted;
    for (const s of survivors) if (s !== o) others = others ? others.union(known.get(s.name)!) : known.get(s.name)!;
    return [o.name, others ? o.state.executed.fromSource(o.state.sourceId).subtract(others) : undefined] as const;
  }));
  for (const [n, e] of errant) if (e) known.set(n, known.get(n)!.subtract(e));
  const healthy = survivors.filter((o) => !o.state.replica?.lastSqlError && !(errant.get(o.name)?.isEmpty() === false));
  const needed = spec.replicationMode === 'semisync' ? 2 : 1;
  if (healthy.length < needed) {
    return { ok: false, blocked: {
      reason: 'TooFewHealthyReplicas',
      message: `failover from ${failed} needs ${needed} healthy instance(s) (${spec.replicationMode}), found ${healthy.length}`
        + (healthy.length ? ` (${healthy.map((o) => o.name).join(', ')})` : ''),
    } };
  }
  const fenced = spec.fenced ?? [];
  const complete = healthy.filter((c) => survivors.every((o) => known.get(c.name)!.contains(known.get(o.name)!)));
  const eligible = complete.filter((o) => !fenced.includes(o.name));
  if (!eligible.length) {
    return { ok: false, blocked: {
      reason: 'NoCompleteCandidate',
      message: complete.length
        ? `only fenced ${complete.map((o) => o.name).join(', ')} hold every transaction the other survivors of ${failed} hold; unfence one to let it be promoted`
        : `no healthy replica holds every transaction the other survivors of ${failed} hold`,
    } };
  }
  const preferred = eligible.find((o) => o.name === spec.desiredPrimary) ?? [...eligible].sort(byOrdinal)[0];
  return { ok: true, name: preferred.name };
}

/**
 * The receiver's error when the source cannot send what the replica needs (MySQL
 * ER_SOURCE_FATAL_ERROR_READING_BINLOG, MariaDB ER_MASTER_FATAL_ERROR_READING_BINLOG): binlogs
 * purged, or a replica asking for transactions the source never had. Reconnecting cannot help.
 */
export const FATAL_BINLOG_READ_ERRNO = 1236;

/**
 * Why only a rebuild from a peer (issue 14 item 1), not replication, can bring this replica back;
 * undefined when replication can. The planner leaves such a replica alone rather than repoint it
 * forever; the rebuild planner takes it from here.
 */
export function needsRebuild(s: ServerState): string | undefined {
  const r = s.replica;
  if (r?.ioThread === 'No' && r.lastIoErrno === FATAL_BINLOG_READ_ERRNO) return `its source cannot send what it lacks: ${r.lastIoError}`;
  return undefined;
}

/**
 * Why a replica must be pointed at the primary again. A stopped receiver is repaired whatever its
 * last error (an exhausted retry count, a network error, a restart): only `needsRebuild` is not.
 * A stopped applier with an error is left alone: its data disagrees with the primary's.
 */
function replicationBroken(s: ServerState, primary: InstanceObservation): string | undefined {
  if (!s.replica) return 'no replication source configured';
  if (!replicatesFrom(s, primary)) {
    return s.replica.sourceHost === primary.host && s.replica.sourcePort === primary.port
      ? `replicates from the primary ${s.replica.sourceTls ? 'with' : 'without'} TLS, which it ${primary.tls ? 'serves' : 'does not serve'}`
      : `replicates from ${s.replica.sourceHost}:${s.replica.sourcePort}, not the primary`;
  }
  if (s.replica.ioThread === 'No') return s.replica.lastIoError ? `IO thread stopped: ${s.replica.lastIoError}` : 'IO thread stopped';
  if (!s.replica.sqlThread && !s.replica.lastSqlError) return 'SQL thread stopped';
  return undefined;
}

function decideFailure(input: PlannerInput, primary: InstanceObservation, quarantined: string[]): Action {
  const { spec, now } = input;
  const since = input.primaryUnreachableSince ?? now;
  const kind = primary.error?.kind ?? 'unknown';
  if (!spec.failoverEnabled) {
    return { kind: 'none', reason: `primary ${primary.name} unreachable (${kind})`,
      blocked: { reason: 'FailoverDisabled', message: `primary ${primary.name} is unreachable and failover is disabled` } };
  }
  const waited = now - since;
  if (waited < spec.failureThresholdSeconds * 1000) {
    return { kind: 'none', reason: `primary ${primary.name} unreachable (${kind}) for ${waited} ms; threshold ${spec.failureThresholdSeconds} s` };
  }
  const stillConnected = input.observations.filter(reachable)
    .filter((o) => o.name !== primary.name && !quarantined.includes(o.name))
    .filter((o) => replicatesFrom(o.state, primary) && o.state.replica!.ioThread === 'Yes');
  if (stillConnected.length) {
    // The operator's view alone is not a failure: a partition between it and the primary must not
    // replace a primary that its replicas (and so, likely, its clients) still reach.
    const who = stillConnected.map((o) => o.name).join(', ');
    return { kind: 'none', reason: `primary ${primary.name} unreachable from here but ${who} still receive from it`,
      blocked: { reason: 'PrimaryUnreachableFromOperator',
        message: `the operator cannot reach primary ${primary.name} (${kind}) but ${who} still replicate from it; no failover while they do` } };
  }
  const choice = pickCandidate(input.observations, primary.name, quarantined, spec, input.lastPrimaryExecuted);
  if (!choice.ok) return { kind: 'none', reason: choice.blocked.message, blocked: choice.blocked };
  return { kind: 'failover', from: primary.name, to: choice.name,
    reason: `primary ${primary.name} unreachable (${kind}) for ${waited} ms and lost by its replicas` };
}

/**
 * Writes of the primary's own that a replica holds but the primary no longer does. Instances boot
 * with init_rpl_role = SLAVE, so a primary that crashed and came back before a failover has rolled
 * back and cut from its binlog what it had not committed, even if a replica had already received
 * it. Made writable again it would reuse those GTIDs for other writes; a replica must take over.
 */
function droppedByPrimary(observations: InstanceObservation[], primary: InstanceObservation, quarantined: readonly string[]): string | undefined {
  if (!primary.state?.readOnly) return undefined;
  const own = primary.state.sourceId;
  for (const o of observations.filter(reachable)) {
    if (o.name === primary.name || quarantined.includes(o.name)) continue;
    const missing = knownTransactions(o.state).fromSource(own).subtract(primary.state.executed);
    if (!missing.isEmpty()) return `${o.name} holds ${missing.toString()}`;
  }
  return undefined;
}

function decideDropped(input: PlannerInput, primary: InstanceObservation, quarantined: string[], dropped: string): Action {
  const message = `primary ${primary.name} restarted without writes its replicas hold (${dropped})`;
  if (!input.spec.failoverEnabled) {
    return { kind: 'none', reason: message, blocked: { reason: 'FailoverDisabled', message: `${message} and failover is disabled` } };
  }
  const choice = pickCandidate(input.observations, primary.name, quarantined, input.spec, input.lastPrimaryExecuted);
  if (!choice.ok) return { kind: 'none', reason: choice.blocked.message, blocked: choice.blocked };
  return { kind: 'failover', from: primary.name, to: choice.name, reason: message };
}

/**
 * How to fence instances that accept writes but are not the recorded primary. Once bootstrapped,
 * such an instance is a former primary (hung or cut off through a failover) that may hold commits
 * waiting for a semi-sync ack: a SQL fence would let them commit (errant), a hard restart rolls
 * them back. It serves nobody, so restarting it costs nothing; once back it is read-only, so it is
 * not chosen again. One restart per incident: until it comes back it is left alone, and one still
 * writable after the settle time is not fixed by restarting and is fenced by SQL. Before bootstrap
 * no failover has happened and nothing needs rolling back.
 */
function decideFences(input: PlannerInput, writable: string[]): Action {
  const { record, restarts, now } = input;
  const fixes: Fix[] = [];
  const settling: string[] = [];
  for (const instance of writable) {
    const restartedAt = restarts?.restartedAt[instance];
    if (!record.bootstrapped || !record.primary || !restarts) fixes.push({ kind: 'fence', instance, method: 'sql' });
    else if (restartedAt === undefined) fixes.push({ kind: 'fence', instance, method: 'restart' });
    else if (now - restartedAt < restarts.settleMs) settling.push(instance);
    else fixes.push({ kind: 'fence', instance, method: 'sql' });
  }
  if (!fixes.length) return { kind: 'none', reason: `${settling.join(', ')} restarted to be fenced; waiting for it to come back read-only` };
  return { kind: 'configure', fixes, reason: `${writable.join(', ')} writable but not the recorded primary` };
}

/**
 * The role label of each instance: follows the record, never the servers' own view. A fenced
 * primary keeps its label until a switchover has moved the role away.
 */
export function rolesFor(names: readonly string[], record: ClusterState, fenced: readonly string[] = []): Record<string, RoleLabel> {
  const roles: Record<string, RoleLabel> = {};
  for (const n of names) {
    roles[n] = record.quarantined?.includes(n) ? 'quarantined' : n === record.primary ? 'primary' : fenced.includes(n) ? 'fenced' : 'replica';
  }
  return roles;
}

/** The rolling update's next action; undefined without one, or while the primary must first stop being the primary (scale-down, fence). */
function rolloutFor(input: PlannerInput, primary: InstanceObservation, obs: InstanceObservation[], quarantined: readonly string[]): Action | undefined {
  const { spec, record } = input;
  const scalingAwayPrimary = spec.replicas !== undefined && ordinalOf(primary.name) >= spec.replicas;
  if (!input.rollout || scalingAwayPrimary || (spec.fenced ?? []).includes(primary.name)) return undefined;
  return decideRollout({ now: input.now, spec, primary, observations: obs, quarantined, timeoutMs: input.rollout.timeoutMs,
    drainMs: input.rollout.drainMs, lastFailover: record.lastFailover,
    replaced: input.rollout.replaced, switchoverBackoff: input.switchoverBackoff });
}

export function decide(input: PlannerInput): Action {
  const { spec, record } = input;
  const obs = [...input.observations].sort(byOrdinal);
  if (!obs.length) return { kind: 'none', reason: 'no database instances exist yet' };
  const quarantined = record.quarantined ?? [];
  const fenced = spec.fenced ?? [];
  const find = (name: string | undefined) => obs.find((o) => o.name === name);

  // Safety first: nothing but the recorded primary may accept writes.
  const writable = obs.filter(reachable).filter((o) => !o.state.readOnly && o.name !== record.primary);
  if (writable.length) return decideFences(input, writable.map((o) => o.name));

  const inProgress = record.failoverInProgress;
  if (inProgress && find(inProgress.to)?.state) {
    const oldPrimary = find(inProgress.from);
    if (inProgress.kind === 'failover' || !oldPrimary?.state) {
      return { kind: 'failover', from: inProgress.from, to: inProgress.to, reason: `resuming ${inProgress.kind}: ${inProgress.reason}` };
    }
    return { kind: 'switchover', from: inProgress.from, to: inProgress.to, reason: `resuming switchover: ${inProgress.reason}` };
  }

  if (!record.bootstrapped || !record.primary) {
    const target = find(record.primary) ?? find(spec.desiredPrimary) ?? obs[0];
    if (!target.state) return { kind: 'none', reason: `waiting for ${target.name} to bootstrap it as primary` };
    return { kind: 'bootstrap', primary: target.name, reason: 'cluster not bootstrapped' };
  }

  const primary = find(record.primary);
  if (!primary) return { kind: 'none', reason: `recorded primary ${record.primary} does not exist`,
    blocked: { reason: 'PrimaryMissing', message: `recorded primary ${record.primary} is not among the instances` } };
  if (!reachable(primary)) return decideFailure(input, primary, quarantined);

  const dropped = droppedByPrimary(input.observations, primary, quarantined);
  if (dropped) return decideDropped(input, primary, quarantined, dropped);
  if (primary.state.readOnly || primary.state.replica) {
    return { kind: 'configure', fixes: [{ kind: 'promote', instance: primary.name }], reason: `primary ${primary.name} is read-only or still a replica` };
  }
  const semi = spec.replicationMode === 'semisync';
  const roll = semi ? rolloutFor(input, primary, obs, quarantined) : undefined;
  const suspended = semi ? semiSyncSuspension({ primary, observations: obs, quarantined, rebuilding: record.rebuild?.instance,
    rolling: { next: roll?.kind === 'roll' && roll.instance !== primary.name ? roll.instance : undefined, replaced: input.rollout?.replaced?.instance } }) : undefined;
  const wait = semi && !suspended;
  if (primary.state.semiSync.available && primary.state.semiSync.sourceEnabled !== wait) {
    const resumed = wait && input.semiSyncSuspendedOn === primary.name;
    return { kind: 'configure', fixes: [{ kind: 'semiSyncSource', instance: primary.name, wait, ...(suspended ? { suspended } : {}), ...(resumed ? { resumed } : {}) }],
      reason: suspended ? `semi-sync on ${primary.name} suspended: ${suspended}` : `semi-sync on ${primary.name} should be ${wait ? 'on' : 'off'}` };
  }

  for (const o of obs.filter(reachable)) {
    // A fenced instance is left as it is (its user may be looking into it): no repair, no quarantine.
    if (o.name === primary.name || fenced.includes(o.name)) continue;
    const errant = errantTransactions(o.state, primary.state);
    if (quarantined.includes(o.name)) {
      if (errant.isEmpty()) return { kind: 'rejoin', instance: o.name, unquarantine: true, reason: `quarantined ${o.name} no longer holds transactions the primary lacks` };
      continue;
    }
    if (!errant.isEmpty()) {
      return { kind: 'quarantine', instance: o.name, errant: errant.toString(), reason: `${o.name} holds transactions the primary lacks: ${errant.toString()}` };
    }
    if (needsRebuild(o.state)) continue;
    const broken = replicationBroken(o.state, primary);
    if (broken) return { kind: 'rejoin', instance: o.name, unquarantine: false, reason: `${o.name}: ${broken}` };
    if (o.state.semiSync.available && o.state.semiSync.replicaEnabled !== semi) {
      return { kind: 'configure', fixes: [{ kind: 'semiSyncReplica', instance: o.name }], reason: `semi-sync on replica ${o.name} should be ${semi ? 'on' : 'off'}` };
    }
  }

  const scalingAwayPrimary = spec.replicas !== undefined && ordinalOf(primary.name) >= spec.replicas;
  const fencedPrimary = fenced.includes(primary.name);
  const rollout = rolloutFor(input, primary, obs, quarantined);
  if (rollout) return rollout;

  let desired = spec.desiredPrimary;
  let why = `spec.database.primary changed to ${desired}`;
  if (scalingAwayPrimary || fencedPrimary) {
    // Scaling below the primary, or a fence on it: it must stop being the primary first.
    const staying = (o: InstanceObservation) => (spec.replicas === undefined || ordinalOf(o.name) < spec.replicas)
      && !quarantined.includes(o.name) && !fenced.includes(o.name);
    const replicating = (o: InstanceObservation) => !!o.state?.replica && replicatesFrom(o.state, primary)
      && o.state.replica.ioThread === 'Yes' && o.state.replica.sqlThread && !o.state.replica.lastSqlError;
    const requested = find(desired);
    const target = requested && staying(requested) ? requested : obs.filter(staying).find(replicating);
    if (!target && !scalingAwayPrimary) {
      return { kind: 'none', reason: `primary ${primary.name} is fenced; no replica to switch over to`,
        blocked: { reason: 'FencedPrimaryKept', message: `${primary.name} is fenced but stays the primary: no unfenced instance replicates from it to take over` } };
    }
    if (!target) {
      return { kind: 'none', reason: `database.replicas ${spec.replicas} leaves out primary ${primary.name}; no replica to switch over to`,
        blocked: { reason: 'ScaleDownBlocked', message: `database.replicas ${spec.replicas} would remove primary ${primary.name}, and no instance below ordinal ${spec.replicas} replicates from it to take over` } };
    }
    desired = target.name;
    why = scalingAwayPrimary
      ? `database.replicas ${spec.replicas} leaves out primary ${primary.name}: switching over to ${target.name} before the scale-down`
      : `primary ${primary.name} is fenced: switching over to ${target.name}`;
  }
  if (desired && desired !== primary.name) {
    const candidate = find(desired);
    if (!candidate) return { kind: 'none', reason: `requested primary ${desired} does not exist`,
      blocked: { reason: 'SwitchoverTargetMissing', message: `spec.database.primary: ${desired} is not an instance of this stack` } };
    if (quarantined.includes(desired)) return { kind: 'none', reason: `requested primary ${desired} is quarantined`,
      blocked: { reason: 'SwitchoverTargetQuarantined', message: `spec.database.primary: ${desired} is quarantined` } };
    if (fenced.includes(desired)) return { kind: 'none', reason: `requested primary ${desired} is fenced`,
      blocked: { reason: 'SwitchoverTargetFenced', message: `spec.database.primary: ${desired} is fenced (kubectl webstack unfence ${desired})` } };
    const backoff = input.switchoverBackoff;
    if (backoff && input.now < backoff.until) {
      return { kind: 'none', reason: `switchover to ${desired} failed recently; retrying after backoff`, blocked: backoff.why };
    }
    const r = candidate.state?.replica;
    if (!candidate.state || !r || !replicatesFrom(candidate.state, primary) || r.ioThread !== 'Yes' || !r.sqlThread) {
      return { kind: 'none', reason: `switchover to ${desired} waits until it replicates from ${primary.name}` };
    }
    return { kind: 'switchover', from: primary.name, to: desired, reason: why };
  }
  if (!record.exporterAccount) {
    return { kind: 'configure', fixes: [{ kind: 'exporterAccount', instance: primary.name }], reason: 'the mysqld-exporter account does not exist yet (bootstrapped before it)' };
  }
  return { kind: 'none', reason: 'healthy' };
}
