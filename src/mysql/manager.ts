/**
 * One manager per WebStack: every tick it gathers (probes the instances; at rest a replica once
 * per failure threshold, see probe-plan.ts), decides (one pure
 * action) and acts (the executor), never two actions at once. Its memory (when the primary went
 * silent, the primary's last GTID set, a switchover backoff) only sharpens decisions; a fresh
 * manager rebuilds everything it needs from the record and the servers.
 */
import type { Clock, Timer } from '../clock.js';
import type { Registry } from 'prom-client';
import { dialectFor } from './sql/engines.js';
import { sqlDatabases } from './sql/sql-database.js';
import type { DatabaseConnector } from './database.js';
import { KeptSessions } from './sql/session.js';
import { DEFAULT_TIMINGS, type DatabaseTimings } from '../timings.js';
import { Executor, type ExecutionResult, type ExecutorLog } from './executor.js';
import type { GtidSet } from './gtid.js';
import { databaseMetrics, type DatabaseMetrics } from './metrics.js';
import type { InstanceObservation } from './observation.js';
import { decide, rolesFor, type Action, type Blocked } from './planner.js';
import type {
  ClusterRecord, ClusterState, ClusterTopology, DatabaseReport, ErrantArchive, ManagerCredentials, EventSink, InstanceAddress, InstanceKiller, InstanceRebuilder, InstanceRestarter, InstanceRoller,
  ManagerSpec, RoleLabel, RoleLabeler, StatusWriter,
} from './ports.js';
import { Rebuilds, type RebuildStep } from './rebuild.js';
import { systemClock } from '../clock.js';
import { probeAll, probeInstance } from './probe.js';
import { reusableObservations, type LastProbe } from './probe-plan.js';
import { ROLLOUT_STUCK } from './rollout.js';
import { databaseConditions, instanceStatuses, reportDue, type ObservedDatabaseStatus } from './status.js';

export interface ManagerOptions {
  /** Which WebStack this manager serves; metric labels and log fields. */
  stack: { namespace: string; name: string };
  /** Read on every tick, so spec edits (a new desired primary) take effect without a restart. */
  spec: () => ManagerSpec;
  credentials: ManagerCredentials;
  /** The stack's CA bundle, read on every tick (a renewed CA is picked up); instances serving TLS are verified against it. */
  caBundle?: () => string | undefined;
  topology: ClusterTopology;
  record: ClusterRecord;
  /** Where the instances and the conditions go after every tick that changed them. */
  status: StatusWriter;
  labeler: RoleLabeler;
  events: EventSink;
  /** Fences a returning old primary by a hard restart; without it, fencing is by SQL only. */
  restarter?: InstanceRestarter;
  /** Kills a hung primary at the start of its failover (see InstanceKiller). */
  killer?: InstanceKiller;
  /** Replaces outdated instances for a rolling update; without it, none is rolled. */
  roller?: InstanceRoller;
  /**
   * Rebuilds an instance replication can't bring back from a donor's physical copy (MariaDB: the
   * agents' mariadb-backup stream; MySQL: the clone plugin); without it, such an instance stays as it is.
   */
  rebuilder?: InstanceRebuilder;
  /** Where a diverged instance's own transactions are saved before its rebuild; without it, such an instance is never rebuilt. */
  errantArchive?: ErrantArchive;
  registry: Registry;
  clock?: Clock;
  /** Defaults: DEFAULT_TIMINGS.database. */
  timings?: Partial<DatabaseTimings>;
  log?: ExecutorLog;
  afterStep?: (action: Action, step: string) => void | Promise<void>;
}

export interface TickResult {
  action: Action;
  result?: ExecutionResult;
  /** Taken on ticks with nothing else to do, when the manager can rebuild instances. */
  rebuild?: RebuildStep;
}

/** The shortest wait between two ticks, so a threshold already reached never spins the loop. */
const MIN_TICK_GAP_MS = 20;

const silent: ExecutorLog = { info: () => undefined, warn: () => undefined };

export class DatabaseManager {
  private readonly clock: Clock;
  private readonly timings: DatabaseTimings;
  private readonly metrics: DatabaseMetrics;
  private readonly log: ExecutorLog;
  private timer?: Timer;
  private running?: Promise<TickResult | undefined>;
  private again = false;
  private stopped = true;
  /** `hung`: its last probe timed out (rather than being refused), so the next one takes a probe timeout to fail too. */
  private unreachableSince?: { primary: string; at: number; hung: boolean };
  private lastPrimaryExecuted?: GtidSet;
  private switchoverBackoff?: { until: number; why: Blocked };
  private lastRoles = '';
  /** Instances restarted by a fence and not seen read-only since. */
  private readonly restartedAt = new Map<string, number>();
  /** When each instance last reloaded its TLS files (manager memory; after a restart it reloads at once, which is harmless). */
  private readonly tlsReloadedAt = new Map<string, number>();
  /** The instance the rolling update replaced last, until it is seen updated and replicating again. */
  private replaced?: { instance: string; at: number };
  private lastBlocked = '';
  /** The instance whose semi-sync wait this manager suspended, until it resumes it. */
  private semiSyncSuspendedOn?: string;
  private observed: ObservedDatabaseStatus = { bootstrapped: false, instances: [], conditions: [] };
  /** Each instance's last probe: at rest, a replica's stands in for probes until it is a failure threshold old. */
  private readonly lastProbes = new Map<string, LastProbe>();
  /** The last tick found every instance ready and had nothing to do. */
  private atRest = false;
  /** The next tick probes every instance (a poke: a pod changed, a connection was lost). */
  private probeEveryInstance = true;
  private published?: { report: DatabaseReport; at: number };
  /** Probe connections, kept between ticks; made on the first tick (the credentials are fixed, the timings too). */
  private readonly kept: KeptSessions;
  private readonly rebuilds?: Rebuilds;
  /** What the last rebuild step did, or the error it failed with: each is logged once, not every tick. */
  private lastRebuild = '';

  constructor(private readonly opts: ManagerOptions) {
    this.clock = opts.clock ?? systemClock;
    this.timings = { ...DEFAULT_TIMINGS.database, ...opts.timings };
    this.metrics = databaseMetrics(opts.registry);
    this.log = opts.log ?? silent;
    this.kept = new KeptSessions(opts.credentials, { connectMs: this.timings.connectTimeoutMs, queryMs: this.timings.queryTimeoutMs },
      () => opts.caBundle?.(), () => this.poke());
    if (opts.rebuilder) {
      this.rebuilds = new Rebuilds({ record: opts.record, rebuilder: opts.rebuilder, errant: opts.errantArchive, events: opts.events, clock: this.clock,
        timings: this.timings, log: this.log });
    }
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.poke();
  }

  /** Run a tick now (after the current one, if one is running) that probes every instance. */
  poke(): void {
    this.probeEveryInstance = true;
    this.run();
  }

  private run(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.timer?.cancel();
    this.running = this.tick().catch((err: unknown) => {
      this.log.warn('database manager tick failed', { error: err instanceof Error ? err.message : String(err) });
      return undefined;
    }).finally(() => {
      this.running = undefined;
      if (this.stopped) return;
      if (this.again) {
        this.again = false;
        this.run();
      } else {
        this.timer = this.clock.after(this.nextTickInMs(), () => this.run());
      }
    });
  }

  /**
   * The probe interval; while the primary is unreachable, no later than the moment its threshold
   * is reached, so a failure is acted on at the threshold and not up to an interval after it. A
   * hung primary's probe fails only at its timeout: that probe is sent a timeout early.
   */
  private nextTickInMs(): number {
    const interval = this.timings.probeIntervalMs;
    const since = this.unreachableSince;
    if (!since) return interval;
    const due = since.at + this.opts.spec().failureThresholdSeconds * 1000 - (since.hung ? this.timings.connectTimeoutMs : 0) - this.clock.now();
    return Math.min(interval, Math.max(MIN_TICK_GAP_MS, due));
  }

  /**
   * Every instance probed in parallel; but while the recorded primary hangs, it first and the
   * others after its probe has timed out: whether its replicas still receive from it must be
   * known as of the moment the verdict on it is reached, not a probe timeout before.
   */
  private async gather(addresses: InstanceAddress[], record: ClusterState, connect: DatabaseConnector): Promise<InstanceObservation[]> {
    const primary = addresses.find((a) => a.name === record.primary);
    if (!primary || !this.unreachableSince?.hung || this.unreachableSince.primary !== primary.name) return probeAll(addresses, connect);
    const first = await probeInstance(primary, connect);
    const others = await probeAll(addresses.filter((a) => a !== primary), connect);
    return addresses.map((a) => (a === primary ? first : others.find((o) => o.name === a.name)!));
  }

  /** Stops ticking; resolves once a running action has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    await this.running;
    this.kept.close();
  }

  status(): ObservedDatabaseStatus {
    return this.observed;
  }

  /**
   * Probes the instances `probe` picks (see gather) and takes the others' observations from `known`;
   * all in the order of `addresses`.
   */
  private async observe(addresses: InstanceAddress[], probe: (a: InstanceAddress) => boolean, known: ReadonlyMap<string, InstanceObservation>,
    record: ClusterState, connect: DatabaseConnector): Promise<InstanceObservation[]> {
    const probedAt = this.clock.now();
    const probed = await this.gather(addresses.filter(probe), record, connect);
    for (const o of probed) this.lastProbes.set(o.name, { observation: o, at: probedAt });
    const observations = addresses.map((a) => probed.find((o) => o.name === a.name) ?? known.get(a.name)!);
    this.remember(observations, record, probedAt);
    return observations;
  }

  private decide(spec: ManagerSpec, record: ClusterState, observations: InstanceObservation[]): Action {
    return decide({
      now: this.clock.now(), spec, record, observations,
      primaryUnreachableSince: this.unreachableSince?.at,
      lastPrimaryExecuted: this.lastPrimaryExecuted,
      switchoverBackoff: this.switchoverBackoff,
      semiSyncSuspendedOn: this.semiSyncSuspendedOn,
      restarts: this.opts.restarter ? { settleMs: this.timings.restartSettleMs, restartedAt: Object.fromEntries(this.restartedAt) } : undefined,
      rollout: this.opts.roller ? { timeoutMs: this.timings.rollTimeoutMs, drainMs: this.timings.rollDrainMs, replaced: this.replaced } : undefined,
    });
  }

  /** One gather -> decide -> act round. Public so tests and the bench can step the manager. */
  async tick(): Promise<TickResult> {
    const spec = this.opts.spec();
    const connect = sqlDatabases(dialectFor(spec.engine), this.opts.credentials,
      { connectMs: this.timings.connectTimeoutMs, queryMs: this.timings.queryTimeoutMs }, this.kept, this.opts.caBundle?.());
    const [addresses, record] = await Promise.all([this.opts.topology.instances(), this.opts.record.read()]);
    this.kept.retain(addresses);
    for (const name of this.lastProbes.keys()) if (!addresses.some((a) => a.name === name)) this.lastProbes.delete(name);
    const reused = reusableObservations(addresses, record.primary, this.lastProbes, this.atRest && !this.probeEveryInstance,
      this.clock.now(), spec.failureThresholdSeconds * 1000);
    this.probeEveryInstance = false;
    let observations = await this.observe(addresses, (a) => !reused.has(a.name), reused, record, connect);
    let action = this.decide(spec, record, observations);
    if (reused.size && (action.kind !== 'none' || observations.some((o) => !o.state))) {
      // Something moved: no action is decided, and no failure judged, on an earlier answer.
      observations = await this.observe(addresses, (a) => reused.has(a.name), new Map(observations.map((o) => [o.name, o])), record, connect);
      action = this.decide(spec, record, observations);
    }
    const now = this.clock.now();
    this.reloadTls(observations, connect, now);
    this.reportBlocked(action);
    let result: ExecutionResult | undefined;
    if (action.kind !== 'none') {
      this.log.info('database action', { ...this.opts.stack, action: action.kind, reason: action.reason });
      const executor = new Executor({
        connect, spec, record: this.opts.record, labeler: this.opts.labeler,
        events: this.opts.events, restarter: this.opts.restarter, killer: this.opts.killer, roller: this.opts.roller, clock: this.clock,
        timings: this.timings, log: this.log,
        afterStep: this.opts.afterStep,
      });
      result = await executor.execute(action, observations);
      this.account(action, result);
    }
    const rebuild = action.kind === 'none' ? await this.rebuild(spec, observations, record, connect) : { changed: false };
    const after = action.kind === 'none' && !rebuild.changed ? record : await this.opts.record.read();
    await this.syncLabels(observations.map((o) => o.name), after, spec.fenced);
    this.observed = {
      primary: after.primary,
      bootstrapped: !!after.bootstrapped,
      instances: instanceStatuses(observations, after, spec.fenced),
      lastFailover: after.lastFailover,
      conditions: databaseConditions(observations, after, spec, action),
      lastDecision: { kind: action.kind, reason: action.reason, result: result?.message },
    };
    await this.publish({ instances: this.observed.instances, conditions: this.observed.conditions }, now);
    this.atRest = action.kind === 'none' && !action.blocked && !rebuild.changed && !this.replaced && !this.unreachableSince
      && this.observed.instances.length > 0 && this.observed.instances.every((i) => i.ready);
    return { action, result, ...(rebuild.step ? { rebuild: rebuild.step } : {}) };
  }

  /**
   * One step of the rebuild plan, on a tick where the planner has nothing to do and the primary
   * answers: safety and failover always come first.
   */
  private async rebuild(spec: ManagerSpec, observations: InstanceObservation[], record: ClusterState, connect: DatabaseConnector):
    Promise<{ step?: RebuildStep; changed: boolean }> {
    if (!this.rebuilds || spec.restoring || !record.bootstrapped) return { changed: false };
    // A primary that stopped answering is watched by every tick: no agent call may delay the next one.
    if (!observations.find((o) => o.name === record.primary)?.state) return { changed: false };
    try {
      const step = await this.rebuilds.step(observations, record, connect, { fenced: spec.fenced, replicas: spec.replicas });
      if (step.did !== this.lastRebuild) this.log.info('database rebuild', { ...this.opts.stack, plan: step.plan.kind, reason: step.plan.reason, did: step.did });
      this.lastRebuild = step.did;
      if (step.ended) this.metrics.rebuilds.inc({ ...this.opts.stack, result: step.ended });
      return { step, changed: step.plan.kind !== 'none' };
    } catch (err) {
      // Tried again every tick: said once per distinct error, not twice a second.
      const error = err instanceof Error ? err.message : String(err);
      if (error !== this.lastRebuild) this.log.warn('database rebuild step failed; tried again next tick', { ...this.opts.stack, error });
      this.lastRebuild = error;
      return { changed: true };
    }
  }

  /** A failed write is tried again on the next tick; it never fails the tick, whose action is done. */
  private async publish(report: DatabaseReport, now: number): Promise<void> {
    if (!reportDue(this.published, report, now, this.timings.positionsEveryMs)) return;
    try {
      await this.opts.status.publish(report);
      this.published = { report, at: now };
    } catch (err) {
      this.log.warn('could not write the database status', { ...this.opts.stack, error: err instanceof Error ? err.message : String(err) });
    }
  }

  /** A rollout that gets stuck says so once in an Event, beside its condition. */
  private reportBlocked(action: Action): void {
    const blocked = action.kind === 'none' ? action.blocked : undefined;
    const key = blocked ? `${blocked.reason}` : '';
    if (key === this.lastBlocked) return;
    this.lastBlocked = key;
    if (blocked?.reason === ROLLOUT_STUCK) this.opts.events.event('Warning', ROLLOUT_STUCK, blocked.message);
  }

  /**
   * Every instance serving TLS rereads its certificate files every tlsReloadIntervalMs, so a
   * renewed certificate is served before the old one expires, without a restart. In the
   * background: a slow reload never delays a failover; a failed one is tried again next interval.
   */
  private reloadTls(observations: InstanceObservation[], connect: DatabaseConnector, now: number): void {
    for (const o of observations) {
      if (!o.tls || !o.state || now - (this.tlsReloadedAt.get(o.name) ?? -Infinity) < this.timings.tlsReloadIntervalMs) continue;
      this.tlsReloadedAt.set(o.name, now);
      connect(o).reloadTls().catch((err: unknown) => {
        this.log.warn('could not reload the TLS certificate', { ...this.opts.stack, instance: o.name, error: err instanceof Error ? err.message : String(err) });
      });
    }
  }

  /** `probedAt`: when this tick's probes were sent; a primary that did not answer has been unreachable since then at the latest. */
  private remember(observations: InstanceObservation[], record: ClusterState, probedAt: number): void {
    for (const o of observations) if (o.state?.readOnly) this.restartedAt.delete(o.name);
    const replaced = this.replaced && observations.find((o) => o.name === this.replaced!.instance);
    if (replaced?.state && !replaced.outdated && (replaced.name === record.primary || replaced.state.replica?.ioThread === 'Yes')) this.replaced = undefined;
    const primary = observations.find((o) => o.name === record.primary);
    if (!primary || primary.state) {
      this.unreachableSince = undefined;
      if (primary?.state) this.lastPrimaryExecuted = primary.state.executed;
      return;
    }
    const hung = primary.error?.kind === 'timeout';
    this.unreachableSince = this.unreachableSince?.primary === primary.name ? { ...this.unreachableSince, hung } : { primary: primary.name, at: probedAt, hung };
  }

  private account(action: Action, result: ExecutionResult): void {
    const labels = this.opts.stack;
    for (const name of result.restarted ?? []) this.restartedAt.set(name, this.clock.now());
    if (result.replaced) this.replaced = { instance: result.replaced, at: this.clock.now() };
    if (action.kind === 'configure' && result.ok) {
      for (const fix of action.fixes) if (fix.kind === 'semiSyncSource') this.semiSyncSuspendedOn = fix.suspended ? fix.instance : undefined;
    }
    if (result.completed) {
      const kind = result.completed.kind;
      (kind === 'failover' ? this.metrics.failovers : this.metrics.switchovers).inc(labels);
      this.metrics.failoverDuration.observe({ ...labels, kind }, result.completed.durationMs / 1000);
      if (kind === 'switchover') this.switchoverBackoff = undefined;
    }
    if (action.kind === 'switchover' && !result.ok) {
      this.switchoverBackoff = { until: this.clock.now() + this.timings.switchoverBackoffMs,
        why: { reason: result.rolledBack ? 'SwitchoverRolledBack' : 'SwitchoverFailed', message: result.message } };
    }
    if (!result.ok) {
      this.log.warn('database action failed', { ...labels, action: action.kind, error: result.message });
      if (!result.rolledBack) this.opts.events.event('Warning', 'DatabaseActionFailed', result.message);
    }
  }

  /** Labels follow the record; set only when they changed. */
  private async syncLabels(names: string[], record: ClusterState, fenced: readonly string[] | undefined): Promise<void> {
    if (!record.primary) return;
    const roles: Record<string, RoleLabel | undefined> = rolesFor(names, record, fenced);
    const key = JSON.stringify(roles);
    if (key === this.lastRoles) return;
    await this.opts.labeler.setRoles(roles);
    this.lastRoles = key;
  }
}
