/**
 * One overall deadline for a multi-step action (a switchover): every step gets what is left of it,
 * and a step still running when it passes is abandoned, so the action always ends by then.
 */
import type { Clock } from '../clock.js';

/** The deadline passed before or during `what`. */
export class DeadlineExpired extends Error {}

export class Deadline {
  constructor(private readonly clock: Clock, readonly at: number) {}

  /** Milliseconds left; 0 once passed. */
  remaining(): number {
    return Math.max(0, this.at - this.clock.now());
  }

  /**
   * `work` if it settles in time. Otherwise rejects with DeadlineExpired naming `what`; the work
   * itself is not cancelled (a hung server answers when it resumes), so it must be harmless then.
   */
  race<T>(what: string, work: () => Promise<T>): Promise<T> {
    const left = this.remaining();
    if (left <= 0) return Promise.reject(new DeadlineExpired(`${what} not started: the deadline had passed`));
    return new Promise<T>((resolve, reject) => {
      const timer = this.clock.after(left, () => reject(new DeadlineExpired(`${what} did not finish in time`)));
      work().then(
        (value) => { timer.cancel(); resolve(value); },
        (err: unknown) => { timer.cancel(); reject(err instanceof Error ? err : new Error(String(err))); },
      );
    });
  }
}
