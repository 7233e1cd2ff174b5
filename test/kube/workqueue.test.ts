import { describe, expect, it } from '@jest/globals';
import { WorkQueue } from '../../src/kube/workqueue.js';
import { BucketRateLimiter, ItemExponentialRateLimiter, MaxOfRateLimiter } from '../../src/kube/rate-limiter.js';
import { FakeClock } from './fake-clock.js';

describe('WorkQueue', () => {
  it('coalesces a burst of adds of the same key into one item', async () => {
    const q = new WorkQueue(new FakeClock());
    for (let i = 0; i < 50; i++) q.add('ns/a');
    q.add('ns/b');
    expect(q.len()).toBe(2);
    expect(await q.get()).toBe('ns/a');
    expect(await q.get()).toBe('ns/b');
  });

  it('never hands out a key that is being processed; re-adds it once done', async () => {
    const q = new WorkQueue(new FakeClock());
    q.add('k');
    const k = await q.get();
    q.add('k');
    q.add('k');
    expect(q.len()).toBe(0);
    q.done(k!);
    expect(q.len()).toBe(1);
    expect(await q.get()).toBe('k');
    q.done('k');
    expect(q.len()).toBe(0);
  });

  it('hands out low-priority keys after every other key, each lane in order', async () => {
    const q = new WorkQueue(new FakeClock());
    q.addLow('r1');
    q.addLow('r2');
    q.add('e1');
    q.addLow('r3');
    q.add('e2');
    expect(q.len()).toBe(5);
    expect(q.lowLen()).toBe(3);
    const order = [];
    for (let i = 0; i < 5; i++) order.push(await q.get());
    expect(order).toEqual(['e1', 'e2', 'r1', 'r2', 'r3']);
    expect(q.len()).toBe(0);
  });

  it('an event moves a low-priority key up once; a resync never moves a queued key down', async () => {
    const q = new WorkQueue(new FakeClock());
    q.addLow('a');
    q.addLow('b');
    q.add('c');
    q.add('b');
    q.addLow('c');
    expect(q.len()).toBe(3);
    expect(q.lowLen()).toBe(1);
    expect([await q.get(), await q.get(), await q.get()]).toEqual(['c', 'b', 'a']);
    expect(q.len()).toBe(0);
    q.done('a');
    q.done('b');
    q.done('c');
    expect(q.len()).toBe(0);
  });

  it('a low-priority key added while in progress runs again after it, in its lane', async () => {
    const q = new WorkQueue(new FakeClock());
    q.addLow('k');
    expect(await q.get()).toBe('k');
    q.addLow('k');
    q.add('e');
    expect(q.len()).toBe(1);
    q.done('k');
    expect(q.len()).toBe(2);
    expect([await q.get(), await q.get()]).toEqual(['e', 'k']);
    q.done('k');
    q.add('k');
    q.addLow('k');
    expect(q.len()).toBe(1);
    expect(await q.get()).toBe('k');
    expect(q.len()).toBe(0);
  });

  it('a waiting getter takes a low-priority key at once', async () => {
    const q = new WorkQueue(new FakeClock());
    const pending = q.get();
    q.addLow('r');
    expect(await pending).toBe('r');
    expect(q.len()).toBe(0);
  });

  it('wakes a waiting getter when a key is added', async () => {
    const q = new WorkQueue(new FakeClock());
    const pending = q.get();
    q.add('x');
    expect(await pending).toBe('x');
    expect(q.isProcessing('x')).toBe(true);
  });

  it('addAfter adds the key when the time has come, keeping the earliest of several requests', () => {
    const clock = new FakeClock();
    const q = new WorkQueue(clock);
    q.addAfter('k', 1000);
    q.addAfter('k', 5000);
    q.addAfter('k', 500);
    clock.advance(499);
    expect(q.len()).toBe(0);
    clock.advance(1);
    expect(q.len()).toBe(1);
    clock.advance(10_000);
    expect(q.len()).toBe(1);
  });

  it('addRateLimited backs off exponentially per key and forget resets it', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue(clock, new ItemExponentialRateLimiter(5, 1_000_000));
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      const before = clock.now();
      q.addRateLimited('k');
      for (let waited = 0; q.len() === 0 && waited < 100_000; waited++) clock.advance(1);
      delays.push(clock.now() - before);
      q.done((await q.get())!);
    }
    expect(delays).toEqual([5, 10, 20, 40]);
    expect(q.numRequeues('k')).toBe(4);
    q.forget('k');
    expect(q.numRequeues('k')).toBe(0);
  });

  it('shutDown releases waiting getters and refuses new keys; drain waits for keys in progress', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue(clock);
    q.add('a');
    const a = await q.get();
    const waiting = q.get();
    q.addAfter('b', 100);
    let drained = false;
    const drain = q.shutDownWithDrain().then(() => { drained = true; });
    expect(await waiting).toBeUndefined();
    q.add('c');
    clock.advance(1000);
    expect(q.len()).toBe(0);
    await Promise.resolve();
    expect(drained).toBe(false);
    q.done(a!);
    await drain;
    expect(drained).toBe(true);
    expect(await q.get()).toBeUndefined();
  });
});

describe('rate limiters', () => {
  it.each([
    [1, 5], [2, 10], [3, 20], [10, 2560], [30, 1_000_000],
  ])('exponential: failure %i waits %i ms', (n, expected) => {
    const l = new ItemExponentialRateLimiter(5, 1_000_000);
    let d = 0;
    for (let i = 0; i < n; i++) d = l.when('k');
    expect(d).toBe(expected);
  });

  it('keys back off independently', () => {
    const l = new ItemExponentialRateLimiter(5, 1000);
    l.when('a'); l.when('a'); l.when('a');
    expect(l.when('b')).toBe(5);
    expect(l.when('a')).toBe(40);
  });

  it('the token bucket allows a burst, then spaces requests at its rate, and refills with time', () => {
    const clock = new FakeClock();
    const b = new BucketRateLimiter(clock, 10, 3);
    expect([b.when(), b.when(), b.when()]).toEqual([0, 0, 0]);
    expect(b.when()).toBe(100);
    expect(b.when()).toBe(200);
    clock.advance(10_000);
    expect(b.when()).toBe(0);
  });

  it('max-of takes the longest wait and forgets in every limiter', () => {
    const clock = new FakeClock();
    const l = new MaxOfRateLimiter(new ItemExponentialRateLimiter(5, 1000), new BucketRateLimiter(clock, 1, 1));
    expect(l.when('k')).toBe(5);
    expect(l.when('k')).toBe(1000);
    l.forget('k');
    expect(l.retries('k')).toBe(0);
  });
});
