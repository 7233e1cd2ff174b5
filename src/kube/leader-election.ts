/**
 * Leader election on a coordination.k8s.io/v1 Lease with client-go's semantics.
 *
 * A lease is valid until `leaseDuration` has passed on OUR clock since we last saw its record
 * change: the holder's renewTime comes from another machine's clock and is never trusted.
 * The decision (`decideLease`) is pure; `LeaderElector` is the one I/O loop around it.
 */
import type { Clock } from '../clock.js';
import { sleep } from '../clock.js';

export interface LeaseRecord {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface LeaseTimings {
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}


/** What we last saw of the lease, and when (local clock) it last changed. */
export interface Observation {
  record: LeaseRecord | undefined;
  /** A canonical form of the record, compared to spot changes (never compare renewTimes as time). */
  fingerprint: string;
  observedAt: number;
}

export type LeaseDecision =
  | { action: 'create'; record: LeaseRecord; reason: string }
  | { action: 'update'; record: LeaseRecord; reason: string }
  | { action: 'wait'; reason: string };

export function fingerprint(record: LeaseRecord | undefined): string {
  if (!record) return '';
  return JSON.stringify([record.holderIdentity ?? '', record.leaseDurationSeconds ?? 0, record.acquireTime ?? '',
    record.renewTime ?? '', record.leaseTransitions ?? 0]);
}

/** Update the observation with a freshly read record: the clock restarts only when the record changed. */
export function observe(prev: Observation | undefined, record: LeaseRecord | undefined, now: number): Observation {
  const fp = fingerprint(record);
  if (prev && prev.fingerprint === fp) return prev;
  return { record, fingerprint: fp, observedAt: now };
}

function microTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '000Z');
}

/**
 * Try to acquire or renew: `live` is the lease as just read (undefined: it doesn't exist),
 * `obs` what we have observed of it so far (already updated with `live`).
 */
export function decideLease(identity: string, live: LeaseRecord | undefined, obs: Observation, now: number,
  timings: LeaseTimings): LeaseDecision {
  const leaseDurationSeconds = Math.max(1, Math.round(timings.leaseDurationMs / 1000));
  if (!live) {
    return {
      action: 'create',
      record: { holderIdentity: identity, leaseDurationSeconds, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 },
      reason: 'no lease exists',
    };
  }
  const holder = live.holderIdentity ?? '';
  const iHold = holder === identity;
  const durationMs = (live.leaseDurationSeconds ?? leaseDurationSeconds) * 1000;
  const expiresAt = obs.observedAt + durationMs;
  if (holder !== '' && !iHold && now < expiresAt) {
    return { action: 'wait', reason: `lease held by ${holder}, valid for ${expiresAt - now}ms more on our clock` };
  }
  if (iHold) {
    return {
      action: 'update',
      record: { ...live, leaseDurationSeconds, renewTime: microTime(now) },
      reason: 'renewing our lease',
    };
  }
  return {
    action: 'update',
    record: {
      holderIdentity: identity,
      leaseDurationSeconds,
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: (live.leaseTransitions ?? 0) + 1,
    },
    reason: holder === '' ? 'lease released' : `lease of ${holder} expired`,
  };
}

/** Whether a leader must step down: no successful renewal within the renew deadline. */
export function renewalOverdue(lastRenewedAt: number, now: number, timings: LeaseTimings): boolean {
  return now - lastRenewedAt >= timings.renewDeadlineMs;
}

/** The record that hands the lease over at once: no holder, so others need not wait for it to expire. */
export function releasedRecord(live: LeaseRecord, now: number): LeaseRecord {
  return { ...live, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(now) };
}

/** How the elector reads and writes the Lease; `update` must fail on a stale resourceVersion. */
export interface LeaseStore {
  get(): Promise<{ record: LeaseRecord; resourceVersion: string } | undefined>;
  create(record: LeaseRecord): Promise<void>;
  update(record: LeaseRecord, resourceVersion: string): Promise<void>;
}

export interface LeaderCallbacks {
  onStartedLeading(): void;
  /** The lease was lost or released; the process should stop reconciling (and exit). */
  onStoppedLeading(reason: string): void;
  onNewLeader?(identity: string): void;
  onError?(err: unknown): void;
}

export class LeaderElector {
  private obs: Observation | undefined;
  private resourceVersion = '';
  private leading = false;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private lastLeader = '';

  constructor(
    private readonly identity: string,
    private readonly store: LeaseStore,
    private readonly clock: Clock,
    private readonly timings: LeaseTimings,
    private readonly callbacks: LeaderCallbacks,
  ) {}

  isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Stop the loop; when leading, release the lease so a successor takes over at once. */
  async stop(release = true): Promise<void> {
    this.stopped = true;
    await this.loop;
    if (this.leading && release) {
      try {
        const live = await this.store.get();
        if (live && live.record.holderIdentity === this.identity) {
          await this.store.update(releasedRecord(live.record, this.clock.now()), live.resourceVersion);
        }
      } catch (err) {
        this.callbacks.onError?.(err);
      }
    }
    if (this.leading) {
      this.leading = false;
      this.callbacks.onStoppedLeading('shutting down');
    }
  }

  private async run(): Promise<void> {
    while (!this.stopped && !this.leading) {
      if (await this.tryAcquireOrRenew()) {
        this.leading = true;
        this.callbacks.onStartedLeading();
        break;
      }
      await this.pause();
    }
    let lastRenewed = this.clock.now();
    while (!this.stopped && this.leading) {
      await this.pause();
      if (this.stopped) break;
      if (await this.tryAcquireOrRenew()) {
        lastRenewed = this.clock.now();
      } else if (renewalOverdue(lastRenewed, this.clock.now(), this.timings)) {
        this.leading = false;
        this.callbacks.onStoppedLeading(`failed to renew the lease within ${this.timings.renewDeadlineMs}ms`);
      }
    }
  }

  /** One attempt; true when we hold the lease afterwards. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    try {
      const live = await this.store.get();
      const now = this.clock.now();
      this.obs = observe(this.obs, live?.record, now);
      this.resourceVersion = live?.resourceVersion ?? '';
      const holder = live?.record.holderIdentity ?? '';
      if (holder && holder !== this.lastLeader) {
        this.lastLeader = holder;
        this.callbacks.onNewLeader?.(holder);
      }
      const decision = decideLease(this.identity, live?.record, this.obs, now, this.timings);
      if (decision.action === 'wait') return false;
      if (decision.action === 'create') await this.store.create(decision.record);
      else await this.store.update(decision.record, this.resourceVersion);
      // Our own write is a change we observed: the validity window restarts now.
      this.obs = observe(this.obs, decision.record, this.clock.now());
      if (this.lastLeader !== this.identity) {
        this.lastLeader = this.identity;
        this.callbacks.onNewLeader?.(this.identity);
      }
      return true;
    } catch (err) {
      this.callbacks.onError?.(err);
      return false;
    }
  }

  /** retryPeriod with up to 20% jitter, so candidates don't collide in lockstep. */
  private pause(): Promise<void> {
    return sleep(this.clock, this.timings.retryPeriodMs * (1 + Math.random() * 0.2));
  }
}
