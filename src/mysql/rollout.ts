/**
 * A change of the database pod template (image, resources, configuration) rolls by switchover,
 * never by failover: the StatefulSet updates OnDelete, and the manager replaces outdated pods
 * itself, replicas first, one at a time, each back in replication and caught up before the next;
 * then it switches the primary over to an updated replica, which makes the old primary an outdated
 * replica like the others. It never starts while the cluster is unhealthy, and reports itself stuck
 * when a replaced instance does not come back in time. Pure; table-tested in test/mysql/rollout.test.ts.
 */
import type { InstanceObservation } from './observation.js';
import type { Action, Blocked } from './planner.js';
import { ordinalOf, replicatesFrom } from './planner.js';
import type { LastFailover, ManagerSpec } from './ports.js';

/** The FailoverBlocked reason while a replaced instance is overdue; the manager also records an Event. */
export const ROLLOUT_STUCK = 'RolloutStuck';

/** A replica this far behind (Seconds_Behind) still counts as caught up: under sustained writes on a busy node it is rarely 0. */
export const CAUGHT_UP_SECONDS = 5;

export interface RolloutInput {
  now: number;
  spec: ManagerSpec;
  primary: InstanceObservation;
  /** Every instance, sorted by ordinal. */
  observations: InstanceObservation[];
  quarantined: readonly string[];
  timeoutMs: number;
  /** How long an old primary keeps serving reads of clients leaving it after a switchover before it is replaced. */
  drainMs: number;
  /** The last failover or switchover (the record). */
  lastFailover?: LastFailover;
  /** The instance this rollout replaced last, and when (manager memory). */
  replaced?: { instance: string; at: number };
  /** A failed or rolled-back switchover is not retried before `until`. */
  switchoverBackoff?: { until: number; why: Blocked };
}

/** Why `o` is not (yet) a replica back in replication and caught up with `primary`; undefined when it is. */
export function notCaughtUp(o: InstanceObservation, primary: InstanceObservation): string | undefined {
  if (!o.state) return `${o.name} is not answering`;
  // A pod not Ready gets no traffic from the Services: as the primary after the switchover it would serve nobody.
  if (o.ready === false) return `${o.name} is not Ready`;
  const r = o.state.replica;
  if (!r || !replicatesFrom(o.state, primary)) return `${o.name} does not replicate from ${primary.name}`;
  if (r.ioThread !== 'Yes' || !r.sqlThread) return `${o.name} is not replicating`;
  if (r.secondsBehind === null || r.secondsBehind > CAUGHT_UP_SECONDS) return `${o.name} is ${r.secondsBehind ?? '?'} s behind`;
  return undefined;
}

/** Undefined when nothing is outdated (the planner carries on); otherwise the rollout's next action. */
export function decideRollout(input: RolloutInput): Action | undefined {
  const { spec, primary, quarantined, now } = input;
  // Instances beyond spec.database.replicas are about to be scaled away: neither rolled nor waited for.
  // A fenced instance is left as it is until unfenced: neither rolled nor waited for.
  const fenced = spec.fenced ?? [];
  const inRange = input.observations.filter((o) => spec.replicas === undefined || ordinalOf(o.name) < spec.replicas);
  const members = inRange.filter((o) => !fenced.includes(o.name));
  const outdated = members.filter((o) => o.outdated);
  if (!outdated.length) return undefined;

  const problems: string[] = [];
  if (spec.replicas !== undefined && inRange.length < spec.replicas) problems.push(`${spec.replicas - inRange.length} instance(s) missing`);
  const replaced = input.replaced;
  for (const o of members) {
    if (o.name === primary.name) continue;
    // Until it is seen running the new template, the replaced instance may still be its old pod, shutting down.
    const problem = quarantined.includes(o.name) ? `${o.name} is quarantined`
      : o.name === replaced?.instance && o.outdated ? `${o.name} is being replaced` : notCaughtUp(o, primary);
    if (problem) problems.push(problem);
  }
  if (replaced && !members.some((o) => o.name === replaced.instance)) problems.push(`${replaced.instance} is being replaced`);
  if (problems.length) {
    const waiting = `rolling update waits until every instance replicates and is caught up: ${problems.join('; ')}`;
    const overdue = replaced && now - replaced.at > input.timeoutMs
      && problems.some((p) => p.startsWith(`${replaced.instance} `));
    if (!overdue) return { kind: 'none', reason: waiting };
    return { kind: 'none', reason: waiting, blocked: { reason: ROLLOUT_STUCK,
      message: `rolling update stuck: ${replaced.instance}, replaced ${Math.round((now - replaced.at) / 1000)} s ago, is not back in replication (${problems.join('; ')})` } };
  }

  const replicas = outdated.filter((o) => o.name !== primary.name).sort((a, b) => ordinalOf(b.name) - ordinalOf(a.name));
  // The primary's Service and the apps' connections leave a former primary only once its label has
  // moved: replacing it at once would cut clients still reaching it through the Service.
  const last = input.lastFailover;
  const drainedAt = last ? Date.parse(last.startedAt) + last.durationMs + input.drainMs : 0;
  if (replicas[0] && last?.from === replicas[0].name && now < drainedAt) {
    return { kind: 'none', reason: `rolling update: ${replicas[0].name} was the primary until just now; replacing it once clients have left it` };
  }
  if (replicas.length) {
    return { kind: 'roll', instance: replicas[0].name,
      reason: `rolling update: replacing replica ${replicas[0].name} (${outdated.length} instance(s) outdated; replicas first, one at a time)` };
  }
  // Only the primary is left: hand its role to an updated replica first, then it rolls as a replica.
  const updated = members.filter((o) => o.name !== primary.name && !o.outdated);
  if (!updated.length) {
    return { kind: 'roll', instance: primary.name,
      reason: `rolling update: replacing ${primary.name}, the only instance (writes stop until it is back)` };
  }
  const backoff = input.switchoverBackoff;
  if (backoff && now < backoff.until) {
    return { kind: 'none', reason: 'rolling update: the switchover away from the outdated primary failed recently; retrying after backoff', blocked: backoff.why };
  }
  const target = updated.find((o) => o.name === spec.desiredPrimary) ?? updated[0];
  return { kind: 'switchover', from: primary.name, to: target.name,
    reason: `rolling update: every replica is updated; switching over from outdated primary ${primary.name} to ${target.name}` };
}
