/**
 * Real time that a test can move forward at once: timers run on the system clock, and `jump` adds
 * to the clock's time, firing at once every timer then due. For code whose waits are too long to
 * sit through (a backup schedule), beside other code that must keep real time.
 */
import { systemClock, type Clock, type Timer } from '../../src/clock.js';

interface Pending {
  due: number;
  fn: () => void;
  real: Timer;
}

export class JumpClock implements Clock {
  private offset = 0;
  private readonly pending = new Set<Pending>();

  now(): number {
    return Date.now() + this.offset;
  }

  after(ms: number, fn: () => void): Timer {
    const t: Pending = { due: this.now() + Math.max(0, ms), fn, real: { cancel: () => undefined } };
    t.real = systemClock.after(ms, () => {
      if (this.pending.delete(t)) fn();
    });
    this.pending.add(t);
    return { cancel: () => { this.pending.delete(t); t.real.cancel(); } };
  }

  /** Moves time forward by `ms`; timers due by then fire now, in due order. */
  jump(ms: number): void {
    this.offset += ms;
    const due = [...this.pending].filter((t) => t.due <= this.now()).sort((a, b) => a.due - b.due);
    for (const t of due) {
      this.pending.delete(t);
      t.real.cancel();
      t.fn();
    }
  }
}
