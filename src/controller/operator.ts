/**
 * The whole operator: caches (always, so a follower is warm and ready), leader election, the
 * control loop and the database managers while leading, probes and metrics. `stopped` resolves
 * when it must exit.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import { MANAGER } from '../api/labels.js';
import type { Logger } from '../log.js';
import { Caches } from '../kube/caches.js';
import { systemClock, type Clock } from '../clock.js';
import { Controller } from '../kube/controller.js';
import { EventRecorder } from '../kube/events.js';
import { serveHealth, serveMetrics, type Listening } from '../kube/http-server.js';
import { KubeClient } from '../kube/client.js';
import { ServedKinds } from '../kube/discovery.js';
import { apiLeaseStore } from '../kube/lease-store.js';
import { LeaderElector } from '../kube/leader-election.js';
import { timingsWith, type DatabaseTimings, type TimingOverrides } from '../timings.js';
import { OperatorMetrics } from '../kube/metrics.js';
import { CACHE_SLIM, OWNED, WEBSTACK } from './resources.js';
import { slimTransform } from '../kube/cache-transform.js';
import { watchWebStacks, webStackKeys, WebStackReconciler } from './webstack-reconciler.js';
import { PodWatch } from './database/pod-watch.js';

export interface OperatorOptions {
  kubeConfig: KubeConfig;
  /** Empty: every namespace. */
  namespaces: string[];
  identity: string;
  /** Undefined: no election, this instance reconciles at once. */
  leaderElection?: { namespace: string; name: string };
  /** Undefined: not served. 0: an ephemeral port. */
  metricsPort?: number;
  healthPort?: number;
  /** Undefined: every interface. */
  bindAddress?: string;
  log: Logger;
  clock?: Clock;
  workers?: number;
  /** Defaults: DEFAULT_TIMINGS. */
  timings?: TimingOverrides;
  /**
   * The database managers, given the operator's own parts (its client, caches, Events, registry).
   * Set: they run while this instance leads, and Ready waits for the database conditions they store.
   */
  databaseManagers?: (parts: OperatorParts) => LeaderTask;
  /** Backups, schedules, retention and restores (src/controller/backup), run while this instance leads. */
  backups?: (parts: OperatorParts) => LeaderTask;
  /** Off in tests that run several operators in one process. */
  defaultMetrics?: boolean;
  /** The image of the agent in each database pod (the operator's own); undefined: no agent. */
  agentImage?: string;
  /** The image of the mysqld-exporter sidecar in each database pod; undefined: none. */
  exporterImage?: string;
  /** The image of each stack's backup store (the operator's own); undefined: no store, volume backups fail. */
  backupStoreImage?: string;
}

/** What the operator hands the database managers: its own client, caches, Events and registry. */
export interface OperatorParts {
  kubeConfig: KubeConfig;
  client: KubeClient;
  /** WebStacks and their Secrets come from these caches. */
  caches: Caches;
  /** The pods of the operator's namespaces, synced before this instance leads. */
  pods: PodWatch;
  events: EventRecorder;
  /** failovers_total, switchovers_total and the duration histogram go there. */
  registry: Registry;
  log: Logger;
  clock: Clock;
  /** Empty: every namespace. */
  namespaces: readonly string[];
  timings: DatabaseTimings;
  /** Database pods run the agent: fences go through it. */
  agents: boolean;
}

/** Work that runs beside the reconcile while this instance leads, and ends when it stops leading. */
export interface LeaderTask {
  start(): void;
  stop(): Promise<void>;
}

export class Operator {
  readonly client: KubeClient;
  readonly metrics: OperatorMetrics;
  readonly caches: Caches;
  readonly pods: PodWatch;
  readonly controller: Controller;
  /** Resolves with the reason when the operator stopped for good (lease lost, or stop()). */
  readonly stopped: Promise<string>;
  metricsServer: Listening | undefined;
  healthServer: Listening | undefined;
  private readonly elector: LeaderElector | undefined;
  private readonly databaseManagers: LeaderTask | undefined;
  private readonly backups: LeaderTask | undefined;
  private finish!: (reason: string) => void;
  private stopping = false;

  constructor(private readonly opts: OperatorOptions) {
    const clock = opts.clock ?? systemClock;
    const timings = timingsWith(opts.timings ?? {});
    this.client = new KubeClient(opts.kubeConfig, timings.apiRequestTimeoutMs);
    this.metrics = new OperatorMetrics(() => this.client.counts.byVerb, opts.defaultMetrics ?? true);
    const cacheTransform = slimTransform(CACHE_SLIM);
    this.caches = new Caches(opts.kubeConfig, this.client, [WEBSTACK, ...OWNED], clock, opts.log,
      { namespaces: opts.namespaces, watchRetry: timings.watchRetry, transform: cacheTransform });
    this.pods = new PodWatch(opts.kubeConfig, this.client, opts.namespaces, clock, opts.log);
    const events = new EventRecorder(this.client, MANAGER, opts.identity, clock, opts.log, timings.eventDedupeWindowMs);
    const parts: OperatorParts = {
      kubeConfig: opts.kubeConfig, client: this.client, caches: this.caches, pods: this.pods, events, registry: this.metrics.registry, log: opts.log, clock,
      namespaces: opts.namespaces, timings: timings.database, agents: !!opts.agentImage,
    };
    this.databaseManagers = opts.databaseManagers?.(parts);
    this.backups = opts.backups?.(parts);
    const reconciler = new WebStackReconciler({
      client: this.client, caches: this.caches, cacheTransform, pods: this.pods, events, log: opts.log, clock, databaseManaged: !!this.databaseManagers, timings,
      agentImage: opts.agentImage, exporterImage: opts.exporterImage, backupStoreImage: opts.backupStoreImage,
      servedKinds: new ServedKinds(this.client, clock, timings.optionalApiRecheckMs),
    });
    this.controller = new Controller(reconciler, { log: opts.log, clock, metrics: this.metrics },
      { workers: opts.workers ?? 8, resyncPeriodMs: timings.resyncPeriodMs, keys: () => webStackKeys(this.caches) });
    watchWebStacks(this.caches, this.pods, this.controller, reconciler);
    this.stopped = new Promise((resolve) => { this.finish = resolve; });
    const le = opts.leaderElection;
    if (le) {
      this.elector = new LeaderElector(opts.identity, apiLeaseStore(this.client, le.namespace, le.name), clock, timings.lease, {
        onStartedLeading: () => {
          opts.log.info('became leader, reconciling', { identity: opts.identity });
          this.metrics.leader.set(1);
          this.lead();
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
      this.healthServer = await serveHealth(opts.healthPort, opts.bindAddress, {
        healthy: () => (this.stopping ? 'shutting down' : undefined),
        ready: () => (this.caches.hasSynced() ? undefined : 'caches not synced'),
      });
    }
    if (opts.metricsPort !== undefined) this.metricsServer = await serveMetrics(opts.metricsPort, opts.bindAddress, this.metrics.registry);
    opts.log.info('serving probes and metrics', { identity: opts.identity, healthPort: this.healthServer?.port, metricsPort: this.metricsServer?.port });
    // Pods too, before leading: a reconcile sends the HAProxy pods it finds there their weights.
    await Promise.all([this.caches.start(), this.pods.ready()]);
    await this.waitForSync();
    // Stopped while starting (the caches or pods never listed): nothing to lead.
    if (this.stopping) return;
    opts.log.info('caches synced', { namespaces: opts.namespaces.length ? opts.namespaces.join(',') : '(all)' });
    if (this.elector) this.elector.start();
    else this.lead();
  }

  /** Graceful: stop the loop (drain), release the lease, stop informers and servers. */
  async stop(reason = 'stopped', releaseLease = true): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await this.controller.stop();
    await this.backups?.stop();
    await this.databaseManagers?.stop();
    await this.elector?.stop(releaseLease);
    await this.caches.stop();
    await this.pods.stop();
    await this.healthServer?.close();
    await this.metricsServer?.close();
    this.client.close();
    this.opts.log.info('operator stopped', { reason });
    this.finish(reason);
  }

  private lead(): void {
    this.controller.start();
    this.databaseManagers?.start();
    this.backups?.start();
  }

  private async waitForSync(): Promise<void> {
    while (!this.caches.hasSynced() && !this.stopping) await new Promise((r) => setTimeout(r, 100));
  }
}
