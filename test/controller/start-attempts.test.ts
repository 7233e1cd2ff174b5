import { describe, expect, it } from '@jest/globals';
import { StartAttempts } from '../../src/controller/start-attempts.js';
import { FakeClock } from '../kube/fake-clock.js';

/** A start that waits until the test settles it, recording what it saw. */
class Starts {
  readonly calls: { key: string; latest: () => string | undefined; settle: (ok: boolean) => void }[] = [];
  readonly failures: string[] = [];
  readonly started: string[] = [];

  hooks() {
    return {
      start: (key: string, latest: () => string | undefined) => new Promise<void>((resolve, reject) => {
        this.calls.push({
          key, latest, settle: (ok) => {
            if (!ok) return reject(new Error('Secret not found yet'));
            const input = latest();
            if (input !== undefined) this.started.push(`${key}=${input}`);
            resolve();
          },
        });
      }),
      failed: (key: string, input: string) => { this.failures.push(`${key}=${input}`); },
    };
  }

  async settle(ok: boolean): Promise<void> {
    this.calls.at(-1)!.settle(ok);
    for (let i = 0; i < 5; i++) await Promise.resolve();
  }
}

describe('StartAttempts', () => {
  it('retries a failed start after the delay, even when the input changed while it waited', async () => {
    const clock = new FakeClock();
    const s = new Starts();
    const starts = new StartAttempts<string>(clock, 5_000, s.hooks());
    starts.request('default/shop', 'v1');
    await s.settle(false);
    expect(s.failures).toEqual(['default/shop=v1']);
    starts.request('default/shop', 'v2');
    expect(s.calls).toHaveLength(1);
    clock.advance(5_000);
    expect(s.calls).toHaveLength(2);
    await s.settle(true);
    expect(s.started).toEqual(['default/shop=v2']);
    expect(starts.pending()).toEqual([]);
  });

  it('runs a waiting retry at once when its input appears', async () => {
    const clock = new FakeClock();
    const s = new Starts();
    const starts = new StartAttempts<string>(clock, 5_000, s.hooks());
    starts.request('a', 'v1');
    await s.settle(false);
    starts.retryNow('a');
    expect(s.calls).toHaveLength(2);
    await s.settle(true);
    expect(s.started).toEqual(['a=v1']);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('follows an attempt that fails after its input appeared with another at once, not after the delay', async () => {
    const clock = new FakeClock();
    const s = new Starts();
    const starts = new StartAttempts<string>(clock, 5_000, s.hooks());
    starts.request('a', 'v1');
    starts.retryNow('a');
    await s.settle(false);
    expect(s.calls).toHaveLength(2);
    await s.settle(true);
    expect(s.started).toEqual(['a=v1']);
  });

  it('keeps one attempt in flight per key, which reads the newest input', async () => {
    const clock = new FakeClock();
    const s = new Starts();
    const starts = new StartAttempts<string>(clock, 5_000, s.hooks());
    starts.request('a', 'v1');
    starts.request('a', 'v2');
    starts.request('b', 'v1');
    expect(s.calls.map((c) => c.key)).toEqual(['a', 'b']);
    expect(s.calls[0].latest()).toBe('v2');
  });

  it('stops trying a cancelled key, and a key wanted again during an attempt starts once', async () => {
    const clock = new FakeClock();
    const s = new Starts();
    const starts = new StartAttempts<string>(clock, 5_000, s.hooks());
    starts.request('a', 'v1');
    starts.cancel('a');
    expect(s.calls[0].latest()).toBeUndefined();
    await s.settle(false);
    expect(s.failures).toEqual([]);
    expect(clock.pendingTimers()).toBe(0);
    starts.request('a', 'v2');
    starts.cancel('a');
    starts.request('a', 'v3');
    expect(s.calls).toHaveLength(2);
    await s.settle(true);
    expect(s.started).toEqual(['a=v3']);
  });
});
