/**
 * The whole operator: caches (always, so a follower is warm and ready), leader election, the
 * control loop while leading, probes and metrics. `stopped` resolves when it must exit.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import { MANAGER } from '../api/labels.js';
import type { Logger } from '../log.js';
import type { StackAddon } from './addons.js';
import { Caches } from '../kube/caches.js';
import { systemClock, type Clock } from '../clock.js';
import { Controller } from '../kube/controller.js';
import { EventRecorder } from '../kube/events.js';
import { serveHealth, serveMetrics, type Listening } from '../kube/http-server.js';
import { KubeClient } from '../kube/client.js';
import { apiLeaseStore } from '../kube/lease-store.js';
import { LeaderElector, type LeaseTimings } from '../kube/leader-election.js';
import { OperatorMetrics } from '../kube/metrics.js';
import { OWNED, WEBSTACK } from './resources.js';
import { watchWebStacks, webStackKeys, WebStackReconciler } from './webstack-reconciler.js';

export interface OperatorOptions {
  kubeConfig: KubeConfig;
  /** Empty: every namespace. */
  namespaces: string[];
  identity: string;
  /** Undefined: no election, this instance reconciles at once. */
  leaderElection?: { namespace: string; name: string; timings: LeaseTimings };
  /** Undefined: not served. 0: an ephemeral port. */
  metricsPort?: number;
  healthPort?: number;
  log: Logger;
  clock?: Clock;
  workers?: number;
  resyncPeriodMs?: number;
  /** A StackAddon, or a factory given the operator's own parts (the database managers need its client, Events and registry). */
  addon?: StackAddon | ((parts: OperatorParts) => OperatorAddon);
  /** Off in tests that run several operators in one process. */
  defaultMetrics?: boolean;
}

export interface OperatorParts {
  kubeConfig: KubeConfig;
  client: KubeClient;
  events: EventRecorder;
  registry: Registry;
  log: Logger;
  clock: Clock;
  namespaces: readonly string[];
}

/** An addon with per-stack work of its own to end when the operator stops (or loses the lease). */
export type OperatorAddon = StackAddon & { close?(): Promise<void> };

export class Operator {
  readonly client: KubeClient;
  readonly metrics: OperatorMetrics;
  readonly caches: Caches;
  readonly controller: Controller;
  /** Resolves with the reason when the operator stopped for good (lease lost, or stop()). */
  readonly stopped: Promise<string>;
  metricsServer: Listening | undefined;
  healthServer: Listening | undefined;
  private readonly elector: LeaderElector | undefined;
  private readonly addon: OperatorAddon | undefined;
  private finish!: (reason: string) => void;
  private stopping = false;

  constructor(private readonly opts: OperatorOptions) {
    const clock = opts.clock ?? systemClock;
    this.client = new KubeClient(opts.kubeConfig);
    this.metrics = new OperatorMetrics(() => this.client.counts.byVerb, opts.defaultMetrics ?? true);
    this.caches = new Caches(opts.kubeConfig, this.client, [WEBSTACK, ...OWNED], opts.namespaces, clock, opts.log);
    const events = new EventRecorder(this.client, MANAGER, opts.identity, clock, opts.log);
    this.addon = typeof opts.addon === 'function'
      ? opts.addon({ kubeConfig: opts.kubeConfig, client: this.client, events, registry: this.metrics.registry, log: opts.log, clock, namespaces: opts.namespaces })
      : opts.addon;
    const reconciler = new WebStackReconciler({
      client: this.client, caches: this.caches, events, log: opts.log, clock, addon: this.addon, requeue: (k) => this.controller.enqueue(k),
    });
    this.controller = new Controller(reconciler, { log: opts.log, clock, metrics: this.metrics },
      { workers: opts.workers ?? 8, resyncPeriodMs: opts.resyncPeriodMs ?? 10 * 60_000, keys: () => webStackKeys(this.caches) });
    watchWebStacks(this.caches, this.controller);
    this.stopped = new Promise((resolve) => { this.finish = resolve; });
    const le = opts.leaderElection;
    if (le) {
      this.elector = new LeaderElector(opts.identity, apiLeaseStore(this.client, le.namespace, le.name), clock, le.timings, {
        onStartedLeading: () => {
          opts.log.info('became leader, reconciling', { identity: opts.identity });
          this.metrics.leader.set(1);
          this.controller.start();
        },
        onStoppedLeading: (reason) => {
          this.metrics.leader.set(0);
          if (this.stopping) return;
          opts.log.error('lost the leader lease, stopping', { identity: opts.identity, reason });
          void this.stop(`lost leadership: ${reason}`, false);
        },
        onNewLeader: (id) => opts.log.info('leader is', { leader: id }),
        onError: (err) => opts.log.warn('leader election request failed', { error: err instanceof Error ? err.message : String(err) }),
      });
    }
  }

  isLeader(): boolean {
    return this.elector ? this.elector.isLeader() : this.controller.isRunning();
  }

  async start(): Promise<void> {
    const { opts } = this;
    if (opts.healthPort !== undefined) {
      this.healthServer = await serveHealth(opts.healthPort, {
        healthy: () => (this.stopping ? 'shutting down' : undefined),
        ready: () => (this.caches.hasSynced() ? undefined : 'caches not synced'),
      });
    }
    if (opts.metricsPort !== undefined) this.metricsServer = await serveMetrics(opts.metricsPort, this.metrics.registry);
    opts.log.info('serving probes and metrics', { identity: opts.identity, healthPort: this.healthServer?.port, metricsPort: this.metricsServer?.port });
    await this.caches.start();
    await this.waitForSync();
    opts.log.info('caches synced', { namespaces: opts.namespaces.length ? opts.namespaces.join(',') : '(all)' });
    if (this.elector) this.elector.start();
    else this.controller.start();
  }

  /** Graceful: stop the loop (drain), release the lease, stop informers and servers. */
  async stop(reason = 'stopped', releaseLease = true): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await this.controller.stop();
    await this.addon?.close?.();
    await this.elector?.stop(releaseLease);
    await this.caches.stop();
    await this.healthServer?.close();
    await this.metricsServer?.close();
    this.client.close();
    this.opts.log.info('operator stopped', { reason });
    this.finish(reason);
  }

  private async waitForSync(): Promise<void> {
    while (!this.caches.hasSynced() && !this.stopping) await new Promise((r) => setTimeout(r, 100));
  }
}
