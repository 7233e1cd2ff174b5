/**
 * Whether the primary's semi-sync wait is suspended. A semi-sync primary waits for one replica's
 * acknowledgement of each commit, up to semiSyncTimeoutSeconds (a year by default). When the
 * manager itself takes away the last replica that could acknowledge, to replace it for a rolling
 * update or to rebuild it, every write would stall until it is back; so meanwhile the primary
 * commits without waiting (asynchronously), and waits again once a replica can acknowledge. A
 * replica lost otherwise (a crash, a partition) suspends nothing: that wait is what semi-sync was
 * chosen for. Pure; table-tested in test/mysql/semi-sync-suspension.test.ts.
 */
import type { InstanceObservation } from './observation.js';
import { replicatesFrom } from './planner.js';

export interface SuspensionInput {
  primary: InstanceObservation;
  observations: InstanceObservation[];
  quarantined: readonly string[];
  /** The instance a rebuild in progress replaces (the record). */
  rebuilding?: string;
  /** The replica the rolling update replaces next, and the one it is replacing (rollout.ts). */
  rolling?: { next?: string; replaced?: string };
}

/** Able to acknowledge the primary's commits now: receiving from it, semi-sync on. */
function acknowledges(o: InstanceObservation, primary: InstanceObservation): boolean {
  const s = o.state;
  return !!s?.replica && replicatesFrom(s, primary) && s.replica.ioThread === 'Yes' && (!s.semiSync.available || s.semiSync.replicaEnabled);
}

/** Why the primary must not wait for acknowledgements now; undefined when it may. */
export function semiSyncSuspension(input: SuspensionInput): string | undefined {
  const { primary, rolling } = input;
  const away = new Map<string, string>();
  if (input.rebuilding) away.set(input.rebuilding, `${input.rebuilding} is being rebuilt`);
  if (rolling?.replaced) away.set(rolling.replaced, `${rolling.replaced} is being replaced by the rolling update`);
  if (rolling?.next && !away.has(rolling.next)) away.set(rolling.next, `${rolling.next} is replaced next by the rolling update`);
  away.delete(primary.name);
  if (!away.size) return undefined;
  const others = input.observations.filter((o) => o.name !== primary.name && !away.has(o.name) && !input.quarantined.includes(o.name));
  if (others.some((o) => acknowledges(o, primary))) return undefined;
  return `${[...away.values()].join('; ')}, and no other replica can acknowledge`;
}
