/**
 * The control loop, as in controller-runtime: keys enter the work queue (from watches the owner
 * wires, and a periodic resync), workers hand them to the Reconciler one key at a time, failures
 * back off per key, and a "come back later" is a timed requeue.
 */
import type { Clock, Timer } from '../clock.js';
import type { Logger } from '../log.js';
import type { OperatorMetrics } from './metrics.js';
import { dueForResync, RESYNC_TICKS_PER_PERIOD } from './resync.js';
import { WorkQueue } from './workqueue.js';

export interface ReconcileOutcome {
  /** A short word for metrics (converged, deleted, ...). */
  result: string;
  /** Set: reconcile the key again after this long, though no event came. */
  requeueAfterMs?: number;
}

/** Converges the object a key names; a throw requeues the key with backoff. */
export interface Reconciler {
  reconcile(key: string): Promise<ReconcileOutcome>;
}

export interface ControllerOptions {
  workers: number;
  /**
   * A key is reconciled again once this long has passed since its last reconcile, even without events
   * (level-triggered safety net), after the keys events ask for.
   */
  resyncPeriodMs: number;
  /** The keys of every object the controller looks after, for the start and each resync. */
  keys: () => string[];
}

export class Controller {
  readonly queue: WorkQueue;
  private running = false;
  private workers: Promise<void>[] = [];
  private resync: Timer | undefined;
  /** When each key's last reconcile ended: the resync skips keys reconciled less than a period ago. */
  private readonly lastReconciled = new Map<string, number>();

  constructor(private readonly reconciler: Reconciler, private readonly deps: { log: Logger; clock: Clock; metrics: OperatorMetrics },
    private readonly opts: ControllerOptions) {
    this.queue = new WorkQueue(deps.clock);
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

  /** Ask for a reconcile of `key` (ignored while the controller is not running). */
  enqueue(key: string): void {
    if (!this.running) return;
    this.queue.add(key);
    this.deps.metrics.queueDepth.set(this.queue.len());
  }

  /** At the start every key, at each resync tick those due: behind every key an event asked for. */
  private enqueueAll(keys = this.opts.keys()): void {
    for (const key of keys) this.queue.addLow(key);
    this.deps.metrics.queueDepth.set(this.queue.len());
  }

  private scheduleResync(): void {
    const { resyncPeriodMs } = this.opts;
    this.resync = this.deps.clock.after(resyncPeriodMs / RESYNC_TICKS_PER_PERIOD, () => {
      if (!this.running) return;
      this.enqueueAll(dueForResync(this.opts.keys(), this.lastReconciled, this.deps.clock.now(), resyncPeriodMs));
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
        const outcome = await this.reconciler.reconcile(key);
        result = outcome.result;
        this.queue.forget(key);
        if (outcome.requeueAfterMs !== undefined) this.queue.addAfter(key, outcome.requeueAfterMs);
      } catch (err) {
        this.deps.metrics.reconcileErrors.inc();
        const [namespace, name] = key.split('/');
        this.deps.log.warn('reconcile will be retried', { namespace, name, retries: this.queue.numRequeues(key),
          error: err instanceof Error ? err.message : String(err) });
        if (this.running) this.queue.addRateLimited(key);
      } finally {
        this.lastReconciled.set(key, this.deps.clock.now());
        this.queue.done(key);
        this.deps.metrics.reconciles.inc({ result });
        this.deps.metrics.reconcileDuration.observe({ result }, (this.deps.clock.now() - started) / 1000);
      }
    }
  }
}
