/**
 * Starting one long-lived thing per key (a stack's database manager) when its inputs may not exist
 * yet: at most one attempt in flight per key, the attempt reads the newest input when it needs it,
 * a failed attempt is retried after a delay, or at once when `retryNow` says its input has come
 * (even while an attempt is still in flight: that attempt may have looked too early).
 */
import type { Clock, Timer } from '../clock.js';

export interface StartHooks<T> {
  /** Starts `key`; `latest()` is the newest input, undefined once the start was cancelled. Throws to be retried. */
  start(key: string, latest: () => T | undefined): Promise<void>;
  /** An attempt failed; another follows. */
  failed(key: string, input: T, err: unknown): void;
}

export class StartAttempts<T> {
  /** The keys wanted and not yet started, with their newest input. */
  private readonly wanted = new Map<string, T>();
  private readonly inFlight = new Set<string>();
  /** Keys whose in-flight attempt should be followed at once by another if it fails. */
  private readonly kicked = new Set<string>();
  private readonly retries = new Map<string, Timer>();

  constructor(private readonly clock: Clock, private readonly retryMs: number, private readonly hooks: StartHooks<T>) {}

  /** Wants `key` started with `input` (or its newer version, when an attempt is already under way or waiting). */
  request(key: string, input: T): void {
    this.wanted.set(key, input);
    if (this.inFlight.has(key) || this.retries.has(key)) return;
    this.attempt(key);
  }

  /** An input of `key` has appeared: a waiting retry runs now; a failing attempt in flight is retried at once. */
  retryNow(key: string): void {
    if (!this.wanted.has(key)) return;
    if (this.inFlight.has(key)) {
      this.kicked.add(key);
      return;
    }
    const timer = this.retries.get(key);
    if (!timer) return;
    timer.cancel();
    this.retries.delete(key);
    this.attempt(key);
  }

  /** `key` is no longer wanted: nothing more is attempted, and an attempt in flight sees `latest()` undefined. */
  cancel(key: string): void {
    this.wanted.delete(key);
    this.kicked.delete(key);
    this.retries.get(key)?.cancel();
    this.retries.delete(key);
  }

  cancelAll(): void {
    for (const key of [...this.wanted.keys()]) this.cancel(key);
  }

  /** Keys wanted and not started (in flight or waiting for a retry). */
  pending(): string[] {
    return [...this.wanted.keys()];
  }

  private attempt(key: string): void {
    this.inFlight.add(key);
    this.hooks.start(key, () => this.wanted.get(key)).then(
      () => {
        this.inFlight.delete(key);
        this.kicked.delete(key);
        this.wanted.delete(key);
      },
      (err: unknown) => {
        this.inFlight.delete(key);
        const input = this.wanted.get(key);
        if (input === undefined) return;
        this.hooks.failed(key, input, err);
        if (this.kicked.delete(key)) this.attempt(key);
        else this.retries.set(key, this.clock.after(this.retryMs, () => this.retryNow(key)));
      },
    );
  }
}
