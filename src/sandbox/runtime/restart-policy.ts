/**
 * When a container that exited is started again. Like the kubelet: exponential back-off (here
 * 0.5 s doubling to 10 s, shorter than the kubelet's 10 s to 5 min so failures are quick to watch
 * in a sandbox), reset once the container has run for a while.
 */

export const BACKOFF_INITIAL_MS = 500;
export const BACKOFF_MAX_MS = 10_000;
/** A container that ran this long before exiting starts again without delay history. */
export const BACKOFF_RESET_AFTER_MS = 10_000;

export function shouldRestart(policy: string | undefined, exitCode: number | null): boolean {
  if (policy === 'Never') return false;
  if (policy === 'OnFailure') return exitCode !== 0;
  return true;
}

/** Delay before the next start, given the previous delay and how long the container ran. */
export function nextBackoff(previousMs: number, ranForMs: number): number {
  if (ranForMs >= BACKOFF_RESET_AFTER_MS || previousMs <= 0) return BACKOFF_INITIAL_MS;
  return Math.min(previousMs * 2, BACKOFF_MAX_MS);
}
