/** The system clock's timers: a wait longer than setTimeout can hold (a yearly schedule) does not fire at once. */
import { describe, expect, it } from '@jest/globals';
import { MAX_TIMER_MS, systemClock } from '../src/clock.js';

describe('systemClock.after', () => {
  it('waits past setTimeout\'s limit instead of firing at once', async () => {
    let fired = 0;
    const far = systemClock.after(MAX_TIMER_MS + 3 * 86_400_000, () => { fired++; });
    const near = new Promise<void>((resolve) => systemClock.after(20, resolve));
    await near;
    await new Promise((r) => setTimeout(r, 30));
    far.cancel();
    expect(fired).toBe(0);
  });

  it('fires a short wait, and not a cancelled one', async () => {
    let fired = 0;
    systemClock.after(5, () => { fired++; }).cancel();
    await new Promise<void>((resolve) => systemClock.after(10, resolve));
    expect(fired).toBe(0);
  });
});
