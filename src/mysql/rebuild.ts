/**
 * Carries out the rebuild plan (rebuild-plan.ts), one short step per manager tick, so a rebuild
 * that copies for minutes never holds up a failover: start the copy on the target's agent and
 * record it; then, on later ticks, read how it goes. The target's agent fences its server once the
 * copy is ready, and the server starts again on it; the planner points its replication at the
 * primary like any replica's; once it replicates, the rebuild is done. Everything it needs to go on
 * is in the record and on the target's disk, so a restarted operator resumes it.
 */
import type { Clock } from '../clock.js';
import type { DatabaseTimings } from '../timings.js';
import { formatTransactions } from './binlog-transactions.js';
import type { DatabaseConnector } from './database.js';
import type { ExecutorLog } from './executor.js';
import type { InstanceObservation } from './observation.js';
import { replicatesFrom } from './planner.js';
import type {
  ClusterRecord, ClusterState, ErrantArchive, EventSink, InstanceRebuilder, RebuildAttempts, RebuildInProgress, RebuildProgress, SavedErrant,
} from './ports.js';
import { attemptsAfterStart, planRebuild, type RebuildBackoff, type RebuildPlan } from './rebuild-plan.js';

export interface RebuildContext {
  record: ClusterRecord;
  rebuilder: InstanceRebuilder;
  /** Where a diverged instance's transactions are saved before its rebuild; without it, such an instance is kept as it is. */
  errant?: ErrantArchive;
  events: EventSink;
  clock: Clock;
  timings: Pick<DatabaseTimings, 'rebuildTimeoutMs' | 'rebuildBackoffMs' | 'rebuildBackoffMaxMs'>;
  log: ExecutorLog;
}

/** What this tick did about rebuilds, for the log and the manager's last decision. */
export interface RebuildStep {
  plan: RebuildPlan;
  did: string;
  /** Set on the step that ended a rebuild. */
  ended?: 'completed' | 'failed';
}

const MIB = 1024 * 1024;
/** How many binlog events the search for a diverged instance's transactions reads at most. */
const MAX_EVENTS_SCANNED = 200_000;

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class Rebuilds {
  constructor(private readonly ctx: RebuildContext) {}

  private get backoff(): RebuildBackoff {
    return { baseMs: this.ctx.timings.rebuildBackoffMs, maxMs: this.ctx.timings.rebuildBackoffMaxMs };
  }

  /** Plans with the record and the observations of this tick, then takes the plan's next step. */
  async step(observations: InstanceObservation[], record: ClusterState, connect: DatabaseConnector,
    scope: { fenced?: readonly string[]; replicas?: number } = {}): Promise<RebuildStep> {
    const now = this.ctx.clock.now();
    const plan = planRebuild({
      now, primary: record.primary, quarantined: record.quarantined ?? [], fenced: scope.fenced, replicas: scope.replicas, inProgress: record.rebuild, observations,
      timeoutMs: this.ctx.timings.rebuildTimeoutMs, attempts: record.rebuildAttempts, backoff: this.backoff,
    });
    switch (plan.kind) {
      case 'none': return { plan, did: 'nothing' };
      case 'abandon': return { plan, did: await this.fail(record, plan.instance, `abandoned: ${plan.reason}`), ended: 'failed' };
      case 'rebuild': {
        if (!plan.resumed) return { plan, did: await this.begin(record, plan, now, observations, connect) };
        return { plan, ...await this.follow(record, record.rebuild!, observations) };
      }
    }
  }

  private async begin(record: ClusterState, plan: Extract<RebuildPlan, { kind: 'rebuild' }>, now: number,
    observations: InstanceObservation[], connect: DatabaseConnector): Promise<string> {
    // A diverged instance's own transactions are never replaced unsaved.
    if (plan.saveErrant) {
      if (!this.ctx.errant) return `${plan.instance} diverged (${plan.saveErrant}) and is kept: its transactions can't be saved here`;
      await this.saveErrant(this.ctx.errant, record, plan.instance, plan.saveErrant, plan.donor, observations, connect);
    }
    const previous = await this.ctx.rebuilder.latest?.(plan.instance);
    const rebuild: RebuildInProgress = { instance: plan.instance, donor: plan.donor, reason: plan.reason, startedAt: new Date(now).toISOString(),
      ...(previous ? { previous } : {}) };
    // A finished rebuild the target's agent still remembers (its operator stopped before forgetting it) would refuse the new one.
    const leftover = await this.ctx.rebuilder.progress(plan.instance, previous);
    if (leftover.phase === 'restored' || leftover.phase === 'failed') await this.ctx.rebuilder.finish(plan.instance);
    await this.ctx.record.write({ rebuild, rebuildAttempts: attemptsAfterStart(record.rebuildAttempts, plan.instance, now, this.backoff) });
    this.ctx.events.event('Normal', 'RebuildStarted', `${plan.instance} is rebuilt from a physical copy of ${plan.donor}: ${plan.reason}`);
    await this.ctx.rebuilder.start(plan.instance, plan.donor);
    return `started rebuilding ${plan.instance} from ${plan.donor}`;
  }

  /** Once per set of GTIDs: a rebuild that failed after saving them does not save them again. */
  private async saveErrant(archive: ErrantArchive, record: ClusterState, instance: string, gtids: string, donor: string,
    observations: InstanceObservation[], connect: DatabaseConnector): Promise<void> {
    const saved = record.errantTransactionsSaved ?? [];
    if (saved.some((s) => s.instance === instance && s.gtids === gtids)) return;
    const target = observations.find((o) => o.name === instance);
    if (!target) throw new Error(`${instance} is not among the instances`);
    const primary = observations.find((o) => o.name === record.primary)?.state;
    if (!primary) throw new Error(`the primary ${record.primary ?? ''} did not answer: what ${instance} holds of its own is not known`);
    const search = await connect(target).binlogTransactions(gtids, primary.executed.toString(), MAX_EVENTS_SCANNED);
    const n = saved.filter((s) => s.instance === instance).length + 1;
    const configMap = await archive.save(instance, n, gtids, formatTransactions(search));
    const entry: SavedErrant = { instance, gtids, configMap, savedAt: new Date(this.ctx.clock.now()).toISOString() };
    await this.ctx.record.write({ errantTransactionsSaved: [...saved, entry] });
    const missing = search.missing ? `; not found in its binlogs: ${search.missing}` : '';
    this.ctx.events.event('Warning', 'ErrantTransactionsSaved', `${instance} holds transactions the primary lacks (${gtids}): `
      + `${search.transactions.length} of them, with the binlog events that hold them, saved in ConfigMap ${configMap}${missing}; `
      + `it is rebuilt from ${donor} next`);
  }

  private async follow(record: ClusterState, rebuild: RebuildInProgress, observations: InstanceObservation[]):
    Promise<{ did: string; ended?: RebuildStep['ended'] }> {
    const progress = await this.ctx.rebuilder.progress(rebuild.instance, rebuild.previous);
    const replicating = this.replicating(record, rebuild.instance, observations);
    switch (progress.phase) {
      case 'copying':
      case 'preparing':
      case 'ready':
        return { did: `${rebuild.instance}: ${progress.phase} (${Math.round(progress.bytes / MIB)} MiB)` };
      case 'failed':
        return { did: await this.fail(record, rebuild.instance, `the copy from ${rebuild.donor} failed: ${progress.error}`), ended: 'failed' };
      case 'restored':
        if (!replicating) return { did: `${rebuild.instance} restarted on the copy; waiting for it to replicate from ${record.primary ?? 'the primary'}` };
        return { did: await this.complete(record, rebuild, progress), ended: 'completed' };
      case 'idle':
        // Forgotten by the target's rebuilder: either done (the manager stopped between forgetting it and clearing the record), or lost with an agent restart.
        if (replicating) return { did: await this.complete(record, rebuild, progress), ended: 'completed' };
        await this.ctx.rebuilder.start(rebuild.instance, rebuild.donor);
        return { did: `${rebuild.instance} had no copy in progress (lost with an agent or operator restart); started again from ${rebuild.donor}` };
    }
  }

  /** Replicating from the recorded primary, both threads running: what "caught up by replication from here" needs. */
  private replicating(record: ClusterState, instance: string, observations: InstanceObservation[]): boolean {
    const primary = observations.find((o) => o.name === record.primary);
    const s = observations.find((o) => o.name === instance)?.state;
    return !!primary && !!s?.replica && replicatesFrom(s, primary) && s.replica.ioThread === 'Yes' && s.replica.sqlThread;
  }

  private async complete(record: ClusterState, rebuild: RebuildInProgress, progress: RebuildProgress): Promise<string> {
    if (progress.phase !== 'idle') await this.ctx.rebuilder.finish(rebuild.instance);
    const attempts = (record.rebuildAttempts ?? []).map(({ lastError: _lastError, ...a }): RebuildAttempts => a);
    await this.ctx.record.write({ rebuild: null, rebuildAttempts: attempts });
    const seconds = Math.round((this.ctx.clock.now() - Date.parse(rebuild.startedAt)) / 1000);
    const copied = progress.phase === 'restored' ? ` (${Math.round(progress.bytes / MIB)} MiB copied, at GTID ${progress.gtid})` : '';
    const message = `${rebuild.instance} rebuilt from ${rebuild.donor} in ${seconds}s${copied}; it replicates from ${record.primary ?? 'the primary'}`;
    this.ctx.events.event('Normal', 'RebuildCompleted', message);
    return message;
  }

  /** The attempt counts (its back-off holds), with why it failed: the Degraded condition shows it. */
  private async fail(record: ClusterState, instance: string, why: string): Promise<string> {
    try {
      // Stops a copy still in progress (its agent tears the stream down and removes what it staged).
      await this.ctx.rebuilder.finish(instance);
    } catch (err) {
      // A copy already ready is being swapped in, or the agent is unreachable: a later rebuild starts over whatever it leaves.
      this.ctx.log.warn('could not clear the rebuild on its agent', { instance, error: errorText(err) });
    }
    const attempts = (record.rebuildAttempts ?? []).map((a) => (a.instance === instance ? { ...a, lastError: why } : a));
    await this.ctx.record.write({ rebuild: null, rebuildAttempts: attempts });
    const message = `the rebuild of ${instance} failed: ${why}`;
    this.ctx.events.event('Warning', 'RebuildFailed', message);
    return message;
  }
}
