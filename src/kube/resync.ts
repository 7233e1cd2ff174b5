/**
 * Which keys the periodic resync checks: those whose last reconcile ended a whole period ago or
 * more, or never ran. A key just reconciled (for an event) is not checked again seconds later:
 * the resync is a safety net per key, not a pass over every key at each tick. Pure.
 */

/** Ticks per resync period: a key is checked again between 1 and 1.25 periods after its last reconcile. */
export const RESYNC_TICKS_PER_PERIOD = 4;

/**
 * The keys due for a resync at `now`, among the current `keys`. `lastReconciled` is pruned of keys
 * no longer listed (deleted objects), so it never outgrows what the controller looks after.
 */
export function dueForResync(keys: string[], lastReconciled: Map<string, number>, now: number, periodMs: number): string[] {
  const current = new Set(keys);
  for (const key of lastReconciled.keys()) if (!current.has(key)) lastReconciled.delete(key);
  return keys.filter((key) => {
    const last = lastReconciled.get(key);
    return last === undefined || now - last >= periodMs;
  });
}
