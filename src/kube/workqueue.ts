/**
 * A work queue of keys with client-go semantics: a key is queued at most once (bursts coalesce),
 * is never handed to two workers at once (a key added while processing is re-queued on `done`),
 * failures back off per key (`addRateLimited`), and timed requeues use `addAfter`. Keys added with
 * `addLow` (the start and the periodic resync) wait behind every other key, as in controller-runtime's
 * priority queue: thousands of resynced keys never delay the reconcile an event asked for.
 */
import type { Clock, Timer } from '../clock.js';
import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiter.js';

export class WorkQueue {
  private readonly queue: string[] = [];
  /** The low-priority lane; a key promoted by `add` leaves a stale entry here, skipped when reached. */
  private readonly low: string[] = [];
  private readonly dirty = new Set<string>();
  /** Dirty keys whose next run is of low priority. */
  private readonly lowKeys = new Set<string>();
  /** Keys of `lowKeys` waiting in `low` (not in progress). */
  private lowWaiting = 0;
  private readonly processing = new Set<string>();
  /** Pending `addAfter` timers per key: the earliest one wins, like client-go's delaying queue. */
  private readonly waiting = new Map<string, { at: number; timer: Timer }>();
  private readonly getters: ((key: string | undefined) => void)[] = [];
  private readonly drainWaiters: (() => void)[] = [];
  private shuttingDown = false;

  constructor(private readonly clock: Clock, private readonly limiter: RateLimiter = defaultControllerRateLimiter(clock)) {}

  add(key: string): void {
    if (this.shuttingDown) return;
    if (this.dirty.has(key)) {
      // Waiting in the low lane: it moves up.
      if (this.lowKeys.delete(key) && !this.processing.has(key)) {
        this.lowWaiting--;
        this.push(key);
      }
      return;
    }
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.push(key);
  }

  /** Like `add`, behind every key added otherwise; a key already queued keeps its place. */
  addLow(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    this.lowKeys.add(key);
    if (this.processing.has(key)) return;
    this.push(key);
  }

  /** Add `key` once `ms` have passed. An earlier pending time for the same key is kept. */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const at = this.clock.now() + ms;
    const pending = this.waiting.get(key);
    if (pending && pending.at <= at) return;
    pending?.timer.cancel();
    const timer = this.clock.after(ms, () => {
      this.waiting.delete(key);
      this.add(key);
    });
    this.waiting.set(key, { at, timer });
  }

  /** Requeue after a failure, waiting as long as the rate limiter says. */
  addRateLimited(key: string): void {
    this.addAfter(key, this.limiter.when(key));
  }

  /** The key succeeded: reset its backoff. */
  forget(key: string): void {
    this.limiter.forget(key);
  }

  numRequeues(key: string): number {
    return this.limiter.retries(key);
  }

  /** The next key, or undefined once the queue shuts down. Call `done(key)` when finished with it. */
  get(): Promise<string | undefined> {
    const key = this.queue.shift() ?? this.nextLow();
    if (key !== undefined) return Promise.resolve(this.take(key));
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key) && !this.shuttingDown) this.push(key);
    if (this.processing.size === 0) this.drainWaiters.splice(0).forEach((w) => w());
  }

  /** Keys waiting to be processed, in both lanes (not counting those in progress or in `addAfter`). */
  len(): number {
    return this.queue.length + this.lowWaiting;
  }

  /** Of those, the keys waiting in the low-priority lane. */
  lowLen(): number {
    return this.lowWaiting;
  }

  isProcessing(key: string): boolean {
    return this.processing.has(key);
  }

  /** Stop handing out keys; waiting getters receive undefined. Keys in progress may still call `done`. */
  shutDown(): void {
    this.shuttingDown = true;
    for (const { timer } of this.waiting.values()) timer.cancel();
    this.waiting.clear();
    this.queue.length = 0;
    this.low.length = 0;
    this.lowKeys.clear();
    this.lowWaiting = 0;
    this.dirty.clear();
    this.getters.splice(0).forEach((g) => g(undefined));
  }

  /** Shut down and resolve when every key in progress is done. */
  shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private push(key: string): void {
    const low = this.lowKeys.has(key);
    if (low) this.lowWaiting++;
    const getter = this.getters.shift();
    if (getter) getter(this.take(key));
    else (low ? this.low : this.queue).push(key);
  }

  /** The first low-priority key still waiting as such. */
  private nextLow(): string | undefined {
    for (let key = this.low.shift(); key !== undefined; key = this.low.shift()) {
      if (this.lowKeys.has(key) && !this.processing.has(key)) return key;
    }
    return undefined;
  }

  private take(key: string): string {
    this.processing.add(key);
    this.dirty.delete(key);
    if (this.lowKeys.delete(key)) this.lowWaiting--;
    return key;
  }
}
