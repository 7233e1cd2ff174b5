/** Rate limiters for the work queue, with client-go's semantics (per-item backoff, global token bucket). */
import type { Clock } from '../clock.js';

export interface RateLimiter {
  /** How long to wait before `key` may be processed again; each call counts as one failure. */
  when(key: string): number;
  /** Stop tracking `key` (it succeeded). */
  forget(key: string): void;
  /** Failures recorded for `key` since it was last forgotten. */
  retries(key: string): number;
}

/** base * 2^failures, capped at max: 5ms, 10ms, 20ms ... 1000s, like client-go's default. */
export class ItemExponentialRateLimiter implements RateLimiter {
  private readonly failures = new Map<string, number>();

  constructor(private readonly baseMs = 5, private readonly maxMs = 1_000_000) {}

  when(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    return Math.min(this.maxMs, this.baseMs * 2 ** n);
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  retries(key: string): number {
    return this.failures.get(key) ?? 0;
  }
}

/**
 * A global token bucket (client-go: 10 qps, burst 100): it bounds the overall retry rate when many
 * keys fail at once, e.g. when the API server is down. Each call reserves one token.
 */
export class BucketRateLimiter implements RateLimiter {
  private tokens: number;
  private last: number;

  constructor(private readonly clock: Clock, private readonly qps = 10, private readonly burst = 100) {
    this.tokens = burst;
    this.last = clock.now();
  }

  when(): number {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.qps) * 1000);
  }

  forget(): void {}

  retries(): number {
    return 0;
  }
}

/** The longest wait any of the limiters asks for. */
export class MaxOfRateLimiter implements RateLimiter {
  private readonly limiters: RateLimiter[];

  constructor(...limiters: RateLimiter[]) {
    this.limiters = limiters;
  }

  when(key: string): number {
    return Math.max(...this.limiters.map((l) => l.when(key)));
  }

  forget(key: string): void {
    for (const l of this.limiters) l.forget(key);
  }

  retries(key: string): number {
    return Math.max(...this.limiters.map((l) => l.retries(key)));
  }
}

export function defaultControllerRateLimiter(clock: Clock): RateLimiter {
  return new MaxOfRateLimiter(new ItemExponentialRateLimiter(5, 1_000_000), new BucketRateLimiter(clock, 10, 100));
}
