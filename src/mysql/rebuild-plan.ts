/**
 * Which instance needs a rebuild from a peer (issue 14 item 1), from which donor, and whether the
 * one in progress goes on: pure, on the planner's observations and the durable record. An instance
 * needs one when replication alone cannot bring it back: its source cannot send what it lacks
 * (binlogs purged, or a new or wiped data directory the binlogs no longer cover: error 1236), or it
 * is quarantined holding transactions the primary lacks (those are saved first: `saveErrant`).
 * One rebuild at a time per stack; a rebuild is bounded by `timeoutMs`, abandoned when its
 * instance is scaled away, and resumed after an operator restart from the record. Repeated rebuilds of one instance back off: the n-th waits
 * `baseMs * 2^(n-1)` (at most `maxMs`) after the start of the one before.
 */
import type { InstanceObservation, ServerState } from './observation.js';
import { errantTransactions, needsRebuild, ordinalOf, replicatesFrom } from './planner.js';
import type { RebuildAttempts, RebuildInProgress } from './ports.js';

export interface RebuildInput {
  now: number;
  primary: string | undefined;
  quarantined: readonly string[];
  /** Fenced by a user: never rebuilt (one in progress goes on) nor a donor. */
  fenced?: readonly string[];
  /** spec.database.replicas: a rebuild in progress of an instance scaled away is abandoned. */
  replicas?: number;
  inProgress?: RebuildInProgress;
  observations: InstanceObservation[];
  timeoutMs: number;
  /** The rebuilds each instance had so far (the record). */
  attempts?: readonly RebuildAttempts[];
  backoff: RebuildBackoff;
}

export interface RebuildBackoff {
  baseMs: number;
  maxMs: number;
}

/** How long after the start of an instance's `count`-th rebuild the next may start. */
export function rebuildDelay(count: number, backoff: RebuildBackoff): number {
  return Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, count - 1));
}

/**
 * The attempts after `instance`'s rebuild starts at `now`: one more, or the first again when its
 * last one started long enough ago (twice the longest delay) to count as a new incident.
 */
export function attemptsAfterStart(attempts: readonly RebuildAttempts[] | undefined, instance: string, now: number,
  backoff: RebuildBackoff): RebuildAttempts[] {
  const previous = attempts?.find((a) => a.instance === instance);
  const fresh = !previous || now - Date.parse(previous.lastStartedAt) > 2 * backoff.maxMs;
  const next: RebuildAttempts = { instance, count: fresh ? 1 : previous.count + 1, lastStartedAt: new Date(now).toISOString() };
  return [...(attempts ?? []).filter((a) => a.instance !== instance), next];
}

/** Why `instance` must wait before another rebuild; undefined when it need not. */
function backingOff(input: RebuildInput, instance: string): string | undefined {
  const previous = input.attempts?.find((a) => a.instance === instance);
  if (!previous) return undefined;
  const until = Date.parse(previous.lastStartedAt) + rebuildDelay(previous.count, input.backoff);
  if (input.now >= until) return undefined;
  return `${instance} was rebuilt ${previous.count} time(s), the latest at ${previous.lastStartedAt}`
    + `${previous.lastError ? ` (${previous.lastError})` : ''}; the next rebuild waits until ${new Date(until).toISOString()}`;
}

export type RebuildPlan =
  | { kind: 'none'; reason: string }
  | { kind: 'rebuild'; instance: string; donor: string; reason: string; resumed: boolean;
      /** A diverged instance: its own transactions, saved before they are replaced. */
      saveErrant?: string }
  | { kind: 'abandon'; instance: string; reason: string };

type Up = InstanceObservation & { state: ServerState };
const isUp = (o: InstanceObservation): o is Up => !!o.state;

/** Why `o` needs a rebuild, with its errant transactions when it diverged; undefined when replication can cope. */
function rebuildReason(o: Up, primary: Up, quarantined: readonly string[]): { reason: string; saveErrant?: string } | undefined {
  if (quarantined.includes(o.name)) {
    const errant = errantTransactions(o.state, primary.state);
    if (!errant.isEmpty()) return { reason: `diverged: it holds transactions the primary lacks (${errant.toString()})`, saveErrant: errant.toString() };
  }
  const cannot = needsRebuild(o.state);
  if (!cannot) return undefined;
  const what = o.state.executed.isEmpty() ? 'an empty data directory (new or lost volume)' : 'binlogs it needs are gone';
  return { reason: `${what}; ${cannot}` };
}

/** A donor that spares the primary: an up-to-date, healthy replica of it; else the primary itself. */
function pickDonor(observations: Up[], primary: Up, target: string, excluded: readonly string[]): Up {
  const healthy = observations.filter((o) => o.name !== target && o.name !== primary.name && !excluded.includes(o.name)
    && !!o.state.replica && replicatesFrom(o.state, primary) && o.state.replica.ioThread === 'Yes' && o.state.replica.sqlThread
    && !o.state.replica.lastSqlError && !needsRebuild(o.state) && errantTransactions(o.state, primary.state).isEmpty());
  // The furthest along (its executed set contains the others'), then the lowest ordinal.
  const sorted = healthy.sort((a, b) => (a.state.executed.contains(b.state.executed) && !b.state.executed.contains(a.state.executed) ? -1
    : b.state.executed.contains(a.state.executed) && !a.state.executed.contains(b.state.executed) ? 1 : ordinalOf(a.name) - ordinalOf(b.name)));
  return sorted[0] ?? primary;
}

export function planRebuild(input: RebuildInput): RebuildPlan {
  const { inProgress, quarantined } = input;
  const fenced = input.fenced ?? [];
  if (inProgress) {
    if (input.replicas !== undefined && ordinalOf(inProgress.instance) >= input.replicas) {
      return { kind: 'abandon', instance: inProgress.instance,
        reason: `${inProgress.instance} is scaled away (database.replicas ${input.replicas}); its rebuild from ${inProgress.donor} is stopped` };
    }
    const elapsed = input.now - Date.parse(inProgress.startedAt);
    if (elapsed > input.timeoutMs) {
      return { kind: 'abandon', instance: inProgress.instance,
        reason: `the rebuild of ${inProgress.instance} from ${inProgress.donor} did not finish within ${Math.round(input.timeoutMs / 1000)}s` };
    }
    return { kind: 'rebuild', instance: inProgress.instance, donor: inProgress.donor, reason: `resuming: ${inProgress.reason}`, resumed: true };
  }
  const up = input.observations.filter(isUp).sort((a, b) => ordinalOf(a.name) - ordinalOf(b.name));
  const primary = up.find((o) => o.name === input.primary);
  if (!primary) return { kind: 'none', reason: 'no reachable primary: rebuilds wait for one' };
  const waiting: string[] = [];
  for (const o of up) {
    if (o.name === primary.name || fenced.includes(o.name)) continue;
    const why = rebuildReason(o, primary, quarantined);
    if (!why) continue;
    const wait = backingOff(input, o.name);
    if (wait) {
      waiting.push(wait);
      continue;
    }
    const donor = pickDonor(up, primary, o.name, [...quarantined, ...fenced]);
    return { kind: 'rebuild', instance: o.name, donor: donor.name, reason: `${o.name}: ${why.reason}`, resumed: false,
      ...(why.saveErrant ? { saveErrant: why.saveErrant } : {}) };
  }
  if (waiting.length) return { kind: 'none', reason: waiting.join('; ') };
  return { kind: 'none', reason: 'every instance can catch up by replication' };
}
