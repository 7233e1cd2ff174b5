/**
 * The observed database status of a WebStack, computed once per tick from plain data: each
 * instance, and every condition the manager owns (the only place they are decided). Pure.
 */
import type { InstanceStatus } from '../api/types.js';
import type { InstanceObservation } from './observation.js';
import { errantTransactions, replicatesFrom, type Action } from './planner.js';
import type { ClusterState, DatabaseCondition, DatabaseReport, LastFailover, ManagerSpec } from './ports.js';

export interface ObservedDatabaseStatus {
  primary?: string;
  bootstrapped: boolean;
  instances: InstanceStatus[];
  lastFailover?: LastFailover;
  conditions: DatabaseCondition[];
  /** What the last tick decided, and how carrying it out went: for logs and debugging. */
  lastDecision?: { kind: string; reason: string; result?: string };
}

export function instanceStatuses(observations: InstanceObservation[], record: ClusterState, fenced: readonly string[] = []): InstanceStatus[] {
  const primary = observations.find((o) => o.name === record.primary);
  return observations.map((o): InstanceStatus => {
    const quarantined = record.quarantined?.includes(o.name) ?? false;
    const role = quarantined ? 'quarantined' : o.name === record.primary ? 'primary' : fenced.includes(o.name) ? 'fenced'
      : o.state ? 'replica' : 'unknown';
    if (!o.state) return { name: o.name, role, ready: false, message: o.error?.message ?? 'unreachable' };
    const s = o.state;
    const errant = primary?.state && o !== primary ? errantTransactions(s, primary.state).toString() : '';
    const replicating = !!primary && replicatesFrom(s, primary) && s.replica?.ioThread === 'Yes' && s.replica.sqlThread;
    const ready = role === 'primary' ? !s.readOnly : role === 'replica' && replicating && s.readOnly;
    const problem = s.replica?.lastSqlError || s.replica?.lastIoError || undefined;
    return {
      name: o.name, role, ready,
      lagSeconds: s.replica?.secondsBehind ?? undefined,
      gtidExecuted: s.executedText,
      errantGtids: errant || undefined,
      message: problem,
    };
  });
}

/** Whether the database takes writes: the primary is recorded, set up and writable. */
export function databaseReady(record: ClusterState, statuses: readonly InstanceStatus[]): DatabaseCondition {
  const type = 'DatabaseReady';
  if (!record.bootstrapped) {
    return { type, status: 'False', reason: 'Bootstrapping',
      message: record.primary ? `setting up ${record.primary} as the primary` : 'waiting for the instances to choose a primary' };
  }
  const primary = statuses.find((i) => i.role === 'primary');
  if (!primary?.ready) {
    return { type, status: 'False', reason: 'PrimaryUnavailable',
      message: `primary ${record.primary ?? '(none)'} is not accepting writes${primary?.message ? `: ${primary.message}` : ''}` };
  }
  const replicas = statuses.filter((i) => i.role === 'replica');
  return { type, status: 'True', reason: 'PrimaryWritable',
    message: `${primary.name} is the primary; ${replicas.filter((r) => r.ready).length}/${replicas.length} replicas replicating` };
}

const UNREACHABLE_FROM_OPERATOR = 'PrimaryUnreachableFromOperator';

/** Degraded by instances that are not ready: a failed rebuild first (the user must look), then quarantine, a rebuild, only fences, the rest. */
function notReadyCondition(notReady: InstanceStatus[], record: ClusterState): DatabaseCondition {
  const failed = (name: string) => record.rebuildAttempts?.find((a) => a.instance === name)?.lastError;
  const why = (s: InstanceStatus): string => {
    if (record.rebuild?.instance === s.name) return `being rebuilt from ${record.rebuild.donor}`;
    const error = failed(s.name);
    if (error) return `its rebuild failed: ${error}`;
    if (s.role === 'fenced') return `fenced (kubectl webstack unfence ${s.name})`;
    return s.role === 'quarantined' ? 'quarantined' : s.message ?? 'not ready';
  };
  const reason = notReady.some((s) => record.rebuild?.instance !== s.name && failed(s.name)) ? 'RebuildFailed'
    : notReady.some((s) => s.role === 'quarantined' && record.rebuild?.instance !== s.name) ? 'InstanceQuarantined'
      : notReady.some((s) => record.rebuild?.instance === s.name) ? 'InstanceRebuilding'
        : notReady.every((s) => s.role === 'fenced') ? 'InstanceFenced' : 'InstanceNotReady';
  return { type: 'DatabaseDegraded', status: 'True', reason, message: notReady.map((s) => `${s.name}: ${why(s)}`).join('; ') };
}

export function databaseConditions(
  observations: InstanceObservation[], record: ClusterState, spec: ManagerSpec, action: Action | undefined,
): DatabaseCondition[] {
  const statuses = instanceStatuses(observations, record, spec.fenced);
  const primary = observations.find((o) => o.name === record.primary);
  const notReady = statuses.filter((s) => !s.ready);
  let degraded: DatabaseCondition = { type: 'DatabaseDegraded', status: 'False', reason: 'AllInstancesReady', message: 'every instance is ready' };
  if (!primary?.state) {
    degraded = { type: 'DatabaseDegraded', status: 'True', reason: 'PrimaryUnavailable',
      message: record.primary ? `primary ${record.primary} is unreachable` : 'no primary yet' };
  } else if (notReady.length) {
    degraded = notReadyCondition(notReady, record);
  }
  const semi = primary?.state?.semiSync;
  const semiDegraded = spec.replicationMode === 'semisync' && !!primary?.state && !!semi
    && (!semi.sourceEnabled || !semi.sourceActive || semi.sourceClients === 0);
  const semiCondition: DatabaseCondition = semiDegraded
    ? { type: 'SemiSyncDegraded', status: 'True', reason: 'NoReplicaAcknowledging',
      message: semi!.sourceEnabled
        ? `primary ${primary!.name}: semi-sync ${semi!.sourceActive ? 'on' : 'off'}, ${semi!.sourceClients} replica(s) acknowledging; writes wait until one acknowledges`
        // Suspended while the manager rolls or rebuilds the last replica that could acknowledge (or not turned on yet).
        : `primary ${primary!.name}: semi-sync wait off; writes commit without a replica's acknowledgement (a failover now could lose the last ones)` }
    : { type: 'SemiSyncDegraded', status: 'False', reason: spec.replicationMode === 'semisync' ? 'ReplicaAcknowledging' : 'Asynchronous', message: '' };
  const blocked = action?.kind === 'none' ? action.blocked : undefined;
  const blockedCondition: DatabaseCondition = blocked
    ? { type: 'FailoverBlocked', status: 'True', reason: blocked.reason, message: blocked.message }
    : { type: 'FailoverBlocked', status: 'False', reason: 'NotBlocked', message: '' };
  let ready = databaseReady(record, statuses);
  if (blocked?.reason === UNREACHABLE_FROM_OPERATOR) {
    // Not "the primary is down": only the operator's view is cut, and the user should look at the network.
    const message = `the operator cannot reach primary ${record.primary ?? ''}, but its replicas still replicate from it: it may still take writes`;
    ready = { type: 'DatabaseReady', status: 'False', reason: UNREACHABLE_FROM_OPERATOR, message };
    degraded = { type: 'DatabaseDegraded', status: 'True', reason: UNREACHABLE_FROM_OPERATOR, message };
  }
  return [ready, degraded, semiCondition, blockedCondition];
}

/**
 * Whether a report must be published now: at once when a role, readiness, errant set, message or
 * condition changed; when only lag and GTID positions moved (every write moves them), at most
 * every `positionsEveryMs`.
 */
export function reportDue(published: { report: DatabaseReport; at: number } | undefined, next: DatabaseReport, now: number,
  positionsEveryMs: number): boolean {
  if (!published) return true;
  const shape = (r: DatabaseReport) => JSON.stringify([r.conditions,
    r.instances.map((i) => [i.name, i.role, i.ready, i.errantGtids ?? '', i.message ?? ''])]);
  if (shape(published.report) !== shape(next)) return true;
  return JSON.stringify(published.report) !== JSON.stringify(next) && now - published.at >= positionsEveryMs;
}
