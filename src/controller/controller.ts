/**
 * The control loop: informer events become keys in the work queue, workers reconcile them one
 * key at a time, failures back off per key, and a periodic resync re-checks every stack.
 */
import type { WebStack } from '../api/types.js';
import type { Logger } from '../log.js';
import type { StackAddon } from './addons.js';
import { AppliedMemo } from './applied-memo.js';
import type { Caches } from './caches.js';
import { controllingWebStackUid, type LiveObject } from './children.js';
import type { Clock, Timer } from '../clock.js';
import type { EventRecorder } from './events.js';
import type { KubeClient } from './kube-client.js';
import type { OperatorMetrics } from './metrics.js';
import { reconcile } from './reconcile.js';
import { WorkQueue } from './workqueue.js';

export interface ControllerDeps {
  client: KubeClient;
  caches: Caches;
  events: EventRecorder;
  log: Logger;
  clock: Clock;
  metrics: OperatorMetrics;
  addon?: StackAddon;
}

export interface ControllerOptions {
  workers: number;
  /** Every stack is reconciled again this often, even without events (level-triggered safety net). */
  resyncPeriodMs: number;
}

export function stackKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? 'default'}/${name}`;
}

/** The WebStack an owned object's event concerns, if any. */
export function ownerKey(o: LiveObject): string | undefined {
  if (!controllingWebStackUid(o)) return undefined;
  const ref = o.metadata.ownerReferences!.find((r) => r.controller === true && r.kind === 'WebStack')!;
  return stackKey(o.metadata.namespace, ref.name);
}

export class Controller {
  readonly queue: WorkQueue;
  private readonly memo = new AppliedMemo();
  private running = false;
  private workers: Promise<void>[] = [];
  private resync: Timer | undefined;

  constructor(private readonly deps: ControllerDeps, private readonly opts: ControllerOptions) {
    this.queue = new WorkQueue(deps.clock);
    deps.caches.onWebStack((_type, ws: WebStack) => this.enqueue(stackKey(ws.metadata.namespace, ws.metadata.name)));
    deps.caches.onOwned((_type, o) => {
      const key = ownerKey(o);
      if (key) this.enqueue(key);
    });
  }

  isRunning(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.enqueueAll();
    this.scheduleResync();
    for (let i = 0; i < this.opts.workers; i++) this.workers.push(this.work());
  }

  /** Stop taking keys and wait for those in progress to finish. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.resync?.cancel();
    await this.queue.shutDownWithDrain();
    await Promise.all(this.workers);
  }

  private enqueue(key: string): void {
    if (!this.running) return;
    this.queue.add(key);
    this.deps.metrics.queueDepth.set(this.queue.len());
  }

  private enqueueAll(): void {
    for (const ws of this.deps.caches.webStacks()) this.enqueue(stackKey(ws.metadata.namespace, ws.metadata.name));
  }

  private scheduleResync(): void {
    this.resync = this.deps.clock.after(this.opts.resyncPeriodMs, () => {
      if (!this.running) return;
      this.enqueueAll();
      this.scheduleResync();
    });
  }

  private async work(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      this.deps.metrics.queueDepth.set(this.queue.len());
      const started = this.deps.clock.now();
      let result = 'error';
      try {
        const outcome = await reconcile(key, {
          client: this.deps.client, caches: this.deps.caches, events: this.deps.events, memo: this.memo,
          log: this.deps.log, clock: this.deps.clock, addon: this.deps.addon, requeue: (k) => this.enqueue(k),
        });
        result = outcome.result;
        this.queue.forget(key);
        if (outcome.result === 'waiting') this.queue.addAfter(key, outcome.requeueAfterMs);
      } catch (err) {
        this.deps.metrics.reconcileErrors.inc();
        const [namespace, name] = key.split('/');
        this.deps.log.warn('reconcile will be retried', { namespace, name, retries: this.queue.numRequeues(key),
          error: err instanceof Error ? err.message : String(err) });
        if (this.running) this.queue.addRateLimited(key);
      } finally {
        this.queue.done(key);
        this.deps.metrics.reconciles.inc({ result });
        this.deps.metrics.reconcileDuration.observe({ result }, (this.deps.clock.now() - started) / 1000);
      }
    }
  }
}
