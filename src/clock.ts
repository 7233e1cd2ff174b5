/** Time as an injectable dependency, so queue backoff and lease expiry are tested without sleeping. */

export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Run `fn` after `ms` milliseconds. */
  after(ms: number, fn: () => void): Timer;
}

/** setTimeout's longest delay (about 24.8 days): Node fires a longer one at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export const systemClock: Clock = {
  now: () => Date.now(),
  after(ms, fn) {
    let t: ReturnType<typeof setTimeout>;
    // A wait past the limit (a monthly or yearly backup schedule) is taken in steps the timer can hold.
    const arm = (left: number) => {
      t = left > MAX_TIMER_MS ? setTimeout(() => arm(left - MAX_TIMER_MS), MAX_TIMER_MS) : setTimeout(fn, Math.max(0, left));
      t.unref?.();
    };
    arm(ms);
    return { cancel: () => clearTimeout(t) };
  },
};

/** Resolves after `ms` on the given clock. */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => { clock.after(ms, resolve); });
}
