/**
 * act: carry out one planned action, step by step, under a deadline. Every step is idempotent and
 * the record is written before the step that depends on it, so a manager restarted between any
 * two steps reads the record back and finishes the job. It decides nothing the planner could:
 * what remains here is the order of steps and the refusals that guard them.
 */
import type { Clock } from '../clock.js';
import type { DatabaseTimings } from '../timings.js';
import type { Database, DatabaseConnector, ReplicationSettings, SemiSyncSettings } from './database.js';
import type { InstanceObservation } from './observation.js';
import { pickCandidate, rolesFor, type Action, type Fix, type FenceMethod } from './planner.js';
import { Deadline, DeadlineExpired } from './deadline.js';
import { probeAll } from './probe.js';
import type {
  ClusterRecord, EventSink, InstanceAddress, InstanceKiller, InstanceRestarter, InstanceRoller, LastFailover, ManagerSpec, RoleLabeler,
} from './ports.js';
import { DatabaseError } from './sanitize.js';

/** The deadlines an action keeps. */
export type ExecutorTimings = Pick<DatabaseTimings, 'applyRelayLogMs' | 'switchoverTimeoutMs' | 'actionDeadlineMs' | 'connectTimeoutMs'>;

export interface ExecutorLog {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface ExecutorContext {
  connect: DatabaseConnector;
  spec: ManagerSpec;
  record: ClusterRecord;
  labeler: RoleLabeler;
  events: EventSink;
  /** Needed for a fence by restart; a failing restart falls back to a fence by SQL. */
  restarter?: InstanceRestarter;
  /** Kills a hung old primary at the start of a failover; without it, its replicas' receivers let go of it in their own time. */
  killer?: InstanceKiller;
  /** Needed for a rolling update; the planner plans none without it. */
  roller?: InstanceRoller;
  clock: Clock;
  timings: ExecutorTimings;
  log: ExecutorLog;
  /** Called after each step; a throw aborts the action there (tests use it to kill a manager mid-failover). */
  afterStep?: (action: Action, step: string) => void | Promise<void>;
}

export interface ExecutionResult {
  ok: boolean;
  message: string;
  /** Set when a failover or switchover completed. */
  completed?: LastFailover;
  /** Set when a switchover gave up and put the old primary back. */
  rolledBack?: boolean;
  /** Instances restarted hard by a fence. */
  restarted?: string[];
  /** The instance replaced by a rolling update. */
  replaced?: string;
}

class Abort extends Error {}

/** Thrown by the afterStep hook: the manager stopped there, as after a crash; nothing is rolled back. */
class Interrupted extends Error {}

/** What the completion of a failover or switchover needs to know. */
interface Handover {
  kind: LastFailover['kind'];
  from: string;
  to: string;
  reason: string;
  /** When this attempt began, if the record holds no earlier start. */
  startedAt: number;
  /** Instances not to point at the new primary. */
  exclude: string[];
}

export class Executor {
  private deadlineAt = 0;
  private current: Action = { kind: 'none', reason: '' };
  private restarted: string[] = [];

  constructor(private readonly ctx: ExecutorContext) {}

  async execute(action: Action, observations: InstanceObservation[]): Promise<ExecutionResult> {
    this.current = action;
    this.restarted = [];
    this.deadlineAt = this.ctx.clock.now() + this.ctx.timings.actionDeadlineMs;
    try {
      const result = await this.run(action, observations);
      return this.restarted.length ? { ...result, restarted: this.restarted } : result;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return { ok: false, message: `${action.kind} failed: ${message}`, ...(this.restarted.length ? { restarted: this.restarted } : {}) };
    }
  }

  private run(action: Action, observations: InstanceObservation[]): Promise<ExecutionResult> {
    switch (action.kind) {
      case 'none': return Promise.resolve({ ok: true, message: action.reason });
      case 'bootstrap': return this.bootstrap(action.primary, observations);
      case 'configure': return this.configure(action.fixes, observations);
      case 'rejoin': return this.rejoin(action.instance, action.unquarantine, observations);
      case 'quarantine': return this.quarantine(action.instance, action.errant, observations);
      case 'failover': return this.failover(action.from, action.to, action.reason, observations);
      case 'switchover': return this.switchover(action.from, action.to, action.reason, observations);
      case 'roll': return this.roll(action.instance, action.reason, observations);
    }
  }

  private async step<T>(name: string, fn: () => Promise<T>): Promise<T> {
    if (this.ctx.clock.now() > this.deadlineAt) throw new Abort(`deadline passed before step ${name}`);
    const began = this.ctx.clock.now();
    const out = await fn();
    this.ctx.log.info('database action step done', { action: this.current.kind, step: name, ms: this.ctx.clock.now() - began });
    try {
      await this.ctx.afterStep?.(this.current, name);
    } catch (err) {
      throw new Interrupted((err as Error).message);
    }
    return out;
  }

  private db(addr: InstanceAddress): Database {
    return this.ctx.connect(addr);
  }

  /** Undefined for a server without semi-sync (MySQL without the plugins, i.e. async mode): left alone. */
  private semiSync(source: boolean, replica: boolean, on?: InstanceObservation): SemiSyncSettings | undefined {
    if (on?.state && !on.state.semiSync.available) return undefined;
    const semi = this.ctx.spec.replicationMode === 'semisync';
    return { source: source && semi, replica: replica && semi, timeoutMs: this.ctx.spec.semiSyncTimeoutSeconds * 1000 };
  }

  /** Read-only, with client connections cut so nobody keeps writing through an open session. */
  private async fenceBySql(addr: InstanceAddress): Promise<void> {
    const db = this.db(addr);
    // Kill first: a commit blocked waiting for a semi-sync ack would otherwise block read_only.
    await db.killClients();
    await db.setReadOnly(true);
    await db.killClients();
  }

  /**
   * Bounded by a connect timeout; a kill that fails or takes longer leaves the failover to fence by
   * SQL alone, as without a killer (a whole node gone takes its agent with it).
   */
  private async killHung(name: string): Promise<void> {
    const deadline = new Deadline(this.ctx.clock, this.ctx.clock.now() + this.ctx.timings.connectTimeoutMs);
    try {
      await deadline.race(`killing ${name}`, () => this.ctx.killer!.kill(name));
      this.restarted.push(name);
    } catch (err) {
      this.ctx.log.warn('could not kill the hung primary; fencing its replicas by SQL only', { instance: name, error: (err as Error).message });
    }
  }

  /** True when restarted; a restart that fails, or one of the recorded primary, is never done: SQL instead. */
  private async fence(addr: InstanceAddress, method: FenceMethod): Promise<boolean> {
    const restarter = this.ctx.restarter;
    if (method === 'restart' && restarter && (await this.ctx.record.read()).primary !== addr.name) {
      try {
        await restarter.restart(addr.name);
        this.restarted.push(addr.name);
        return true;
      } catch (err) {
        this.ctx.log.warn('could not restart instance; fencing by SQL', { instance: addr.name, error: (err as Error).message });
      }
    }
    await this.fenceBySql(addr);
    return false;
  }

  private promote(addr: InstanceObservation, semiSync: boolean): Promise<void> {
    return this.db(addr).promote(this.semiSync(semiSync, false, addr));
  }

  /** The one path to a writable server: only the instance the record names as primary. */
  private async makeWritable(addr: InstanceAddress): Promise<void> {
    const rec = await this.ctx.record.read();
    if (rec.primary !== addr.name) throw new Abort(`refusing to make ${addr.name} writable: the recorded primary is ${rec.primary ?? 'none'}`);
    await this.db(addr).setReadOnly(false);
  }

  private replication(on: InstanceObservation): ReplicationSettings {
    // A replica must notice a silent (hung) primary about as fast as the manager does.
    return { netTimeoutSeconds: Math.max(1, this.ctx.spec.failureThresholdSeconds), semiSync: this.semiSync(false, true, on) };
  }

  private pointAt(addr: InstanceObservation, primary: InstanceAddress): Promise<void> {
    return this.db(addr).pointAt(primary, this.replication(addr));
  }

  private async pointAllAt(targets: InstanceObservation[], primary: InstanceAddress): Promise<void> {
    const results = await Promise.allSettled(targets.map((t) => this.pointAt(t, primary)));
    results.forEach((r, i) => {
      if (r.status === 'rejected') this.ctx.log.warn('could not repoint replica', { instance: targets[i].name, error: (r.reason as Error).message });
    });
  }

  private async moveLabels(observations: InstanceObservation[]): Promise<void> {
    await this.ctx.labeler.setRoles(rolesFor(observations.map((o) => o.name), await this.ctx.record.read(), this.ctx.spec.fenced));
  }

  private others(observations: InstanceObservation[], exclude: string[], quarantined: string[]): InstanceObservation[] {
    return observations.filter((o) => o.state && !exclude.includes(o.name) && !quarantined.includes(o.name));
  }

  private async bootstrap(target: string, observations: InstanceObservation[]): Promise<ExecutionResult> {
    const primary = mustFind(observations, target);
    await this.step('record-primary', async () => {
      const rec = await this.ctx.record.read();
      if (rec.primary !== target) await this.ctx.record.write({ primary: target });
    });
    // Semi-sync waits until replicas are attached: a source waiting for acks nobody can give
    // would block the very statements that create the replication user.
    await this.step('promote', () => this.promote(primary, false));
    await this.step('make-writable', () => this.makeWritable(primary));
    await this.step('create-users', () => this.db(primary).bootstrapUsers());
    await this.step('record-bootstrapped', () => this.ctx.record.write({ bootstrapped: true, exporterAccount: true }));
    const rec = await this.ctx.record.read();
    await this.step('repoint', () => this.pointAllAt(this.others(observations, [target], rec.quarantined ?? []), primary));
    await this.step('labels', () => this.moveLabels(observations));
    this.ctx.events.event('Normal', 'DatabaseBootstrapped', `${target} is the primary; replication user, database, app user and exporter account created`);
    return { ok: true, message: `bootstrapped with primary ${target}` };
  }

  private async configure(fixes: Fix[], observations: InstanceObservation[]): Promise<ExecutionResult> {
    for (const fix of fixes) {
      const addr = mustFind(observations, fix.instance);
      switch (fix.kind) {
        case 'fence': {
          const restarted = await this.step(`fence ${fix.instance}`, () => this.fence(addr, fix.method));
          this.ctx.events.event('Warning', 'InstanceFenced', restarted
            ? `${fix.instance} was writable but is not the primary; restarted hard so it rolls back unacknowledged transactions and comes back read-only`
            : `${fix.instance} was writable but is not the primary; made read-only`);
          break;
        }
        case 'promote':
          await this.step(`promote ${fix.instance}`, () => this.promote(addr, true));
          await this.step(`make-writable ${fix.instance}`, () => this.makeWritable(addr));
          break;
        case 'semiSyncSource':
          await this.step(`semi-sync ${fix.instance}`, async () => {
            const settings = this.semiSync(fix.wait, false, addr);
            if (settings) await this.db(addr).setSemiSync(settings);
          });
          if (fix.suspended) {
            this.ctx.events.event('Warning', 'SemiSyncSuspended', `${fix.instance} commits without waiting for a replica's acknowledgement `
              + `(semi-sync suspended) while ${fix.suspended}; it waits again once a replica can acknowledge`);
          } else if (fix.resumed) {
            this.ctx.events.event('Normal', 'SemiSyncResumed', `${fix.instance} waits again for a replica's acknowledgement of each commit (semi-sync resumed)`);
          }
          break;
        case 'semiSyncReplica':
          // A replica picks up the semi-sync setting when its IO thread reconnects.
          await this.step(`semi-sync ${fix.instance}`, async () => {
            const db = this.db(addr);
            const settings = this.semiSync(false, true, addr);
            if (settings) await db.setSemiSync(settings);
            await db.stopReplication({ ioThreadOnly: true });
            await db.startReplication();
          });
          break;
        case 'exporterAccount':
          await this.step(`exporter account on ${fix.instance}`, () => this.db(addr).createExporterAccount());
          await this.step('record-exporter-account', () => this.ctx.record.write({ exporterAccount: true }));
          this.ctx.events.event('Normal', 'ExporterAccountCreated', `mysqld-exporter's account created on primary ${fix.instance}`);
          break;
      }
    }
    return { ok: true, message: fixes.map((f) => `${f.kind} ${f.instance}`).join(', ') };
  }

  private async rejoin(name: string, unquarantine: boolean, observations: InstanceObservation[]): Promise<ExecutionResult> {
    const rec = await this.ctx.record.read();
    const primary = mustFind(observations, rec.primary);
    await this.step('repoint', () => this.pointAt(mustFind(observations, name), primary));
    if (unquarantine) {
      await this.step('record', () => this.ctx.record.write({ quarantined: (rec.quarantined ?? []).filter((q) => q !== name) }));
    }
    await this.step('labels', () => this.moveLabels(observations));
    if (unquarantine) this.ctx.events.event('Normal', 'InstanceRejoined', `${name} replicates from ${primary.name} again`);
    return { ok: true, message: `${name} replicates from ${primary.name}` };
  }

  private async quarantine(name: string, errant: string, observations: InstanceObservation[]): Promise<ExecutionResult> {
    const db = this.db(mustFind(observations, name));
    await this.step('stop-replication', async () => {
      await db.stopReplication();
      await db.setReadOnly(true);
    });
    await this.step('record', async () => {
      const rec = await this.ctx.record.read();
      if (!rec.quarantined?.includes(name)) await this.ctx.record.write({ quarantined: [...(rec.quarantined ?? []), name] });
    });
    await this.step('labels', () => this.moveLabels(observations));
    this.ctx.events.event('Warning', 'InstanceQuarantined',
      `${name} holds transactions the primary lacks (${errant}); it is kept read-only and out of service until repaired`);
    return { ok: true, message: `${name} quarantined` };
  }

  private async failover(from: string, planned: string, reason: string, observations: InstanceObservation[]): Promise<ExecutionResult> {
    const startedAt = this.ctx.clock.now();
    const rec = await this.ctx.record.read();
    const quarantined = rec.quarantined ?? [];
    let to = planned;
    const survivors = this.others(observations, [from], quarantined);
    const old = observations.find((o) => o.name === from);
    if (this.ctx.killer && old?.error?.kind === 'timeout') await this.step('kill-old-primary', () => this.killHung(from));
    // Fence: nothing more may arrive from the old primary while we compare and promote.
    await this.step('fence-replicas', async () => {
      await Promise.allSettled(survivors.filter((o) => o.name !== rec.primary).map((o) => this.db(o).stopReplication({ ioThreadOnly: true })));
    });
    if (rec.primary !== to) {
      const fresh = await this.step('choose', async () => {
        const now = await probeAll(observations.filter((o) => o.name !== from), this.ctx.connect);
        const choice = pickCandidate(now, from, quarantined, this.ctx.spec);
        if (!choice.ok) throw new Abort(choice.blocked.message);
        to = choice.name;
        return now;
      });
      const candidate = mustFind(fresh, to);
      await this.step('record-intent', () => this.recordIntent('failover', from, to, reason, startedAt));
      await this.step('apply-relay-log', async () => {
        const received = candidate.state?.replica?.retrievedText;
        if (!received) return;
        const db = this.db(candidate);
        await db.startReplication({ sqlThreadOnly: true });
        if (!await db.waitForGtidSet(received, this.ctx.timings.applyRelayLogMs)) {
          throw new Abort(`${to} did not apply its relay log within ${this.ctx.timings.applyRelayLogMs} ms`);
        }
      });
      await this.step('promote', () => this.promote(candidate, true));
      await this.step('record-primary', () => this.ctx.record.write({ primary: to }));
    }
    return this.complete({ kind: 'failover', from, to, reason, startedAt, exclude: [from, to] }, observations);
  }

  /**
   * Bounded by one deadline, counted from the first attempt (a resumed switchover keeps it): until
   * the record names the candidate, any failure, hang or expiry puts the old primary back. Past
   * that point it only goes forward, as a failover does.
   */
  private async switchover(from: string, to: string, reason: string, observations: InstanceObservation[]): Promise<ExecutionResult> {
    const startedAt = this.ctx.clock.now();
    const rec = await this.ctx.record.read();
    const oldPrimary = mustFind(observations, from);
    const candidate = mustFind(observations, to);
    if (rec.primary !== to) {
      const resumed = rec.failoverInProgress?.kind === 'switchover' ? Date.parse(rec.failoverInProgress.startedAt) : NaN;
      const deadline = new Deadline(this.ctx.clock, (Number.isNaN(resumed) ? startedAt : resumed) + this.ctx.timings.switchoverTimeoutMs);
      let promoting = false;
      try {
        await this.step('record-intent', () => this.recordIntent('switchover', from, to, reason, startedAt));
        // read_only waits for in-flight commits; after it, the old primary's position is final.
        await this.step('demote-old-primary', () => deadline.race(`demoting ${from}`, () => this.fenceBySql(oldPrimary)));
        await this.step('catch-up', async () => {
          const position = (await deadline.race(`reading ${from}'s position`, () => this.db(oldPrimary).status())).executedText;
          const waited = deadline.remaining();
          // The server-side wait rounds up to whole seconds; whichever of it and the deadline ends first, the answer is the same.
          const caughtUp = await deadline.race(`waiting for ${to} to catch up`, () => this.db(candidate).waitForGtidSet(position, waited))
            .catch((err: unknown) => { if (err instanceof DeadlineExpired) return false; throw err; });
          if (!caughtUp) throw new DeadlineExpired(`it did not catch up with ${from} within ${this.ctx.timings.switchoverTimeoutMs} ms`);
        });
        promoting = true;
        await this.step('promote', () => deadline.race(`promoting ${to}`, () => this.promote(candidate, true)));
      } catch (err) {
        if (err instanceof Interrupted) throw err;
        return this.rollbackSwitchover(oldPrimary, candidate, promoting, (err as Error).message);
      }
      await this.step('record-primary', () => this.ctx.record.write({ primary: to }));
    }
    return this.complete({ kind: 'switchover', from, to, reason, startedAt, exclude: [to] }, observations);
  }

  /** The intent, kept with the start of the first attempt, so a resumed handover reports its whole duration. */
  private async recordIntent(kind: Handover['kind'], from: string, to: string, reason: string, startedAt: number): Promise<void> {
    const rec = await this.ctx.record.read();
    await this.ctx.record.write({ failoverInProgress: {
      kind, from, to, reason, startedAt: rec.failoverInProgress?.startedAt ?? new Date(startedAt).toISOString() } });
  }

  /** Shared by failover and switchover once the record names the new primary: writable, replicas, labels, record, Event. */
  private async complete(h: Handover, observations: InstanceObservation[]): Promise<ExecutionResult> {
    const target = mustFind(observations, h.to);
    const quarantined = (await this.ctx.record.read()).quarantined ?? [];
    await this.step('make-writable', () => this.makeWritable(target));
    await this.step('repoint', () => this.pointAllAt(this.others(observations, h.exclude, quarantined), target));
    await this.step('labels', () => this.moveLabels(observations));
    const rec = await this.ctx.record.read();
    const began = rec.failoverInProgress?.startedAt ?? new Date(h.startedAt).toISOString();
    const done: LastFailover = { kind: h.kind, from: h.from, to: h.to, reason: h.reason, startedAt: began,
      durationMs: Math.max(0, this.ctx.clock.now() - Date.parse(began)) };
    await this.step('record-done', () => this.ctx.record.write({ lastFailover: done, failoverInProgress: null }));
    if (h.kind === 'failover') {
      this.ctx.events.event('Normal', 'FailoverCompleted', `${h.to} promoted in place of ${h.from} in ${done.durationMs} ms: ${h.reason}`);
      return { ok: true, message: `failed over from ${h.from} to ${h.to}`, completed: done };
    }
    this.ctx.events.event('Normal', 'SwitchoverCompleted', `${h.to} is the primary in place of ${h.from} (${done.durationMs} ms)`);
    return { ok: true, message: `switched over from ${h.from} to ${h.to}`, completed: done };
  }

  /**
   * One step of a rolling update. The recorded primary is replaced only when it is the only
   * instance: otherwise it is switched over first, and rolled as a replica.
   */
  private async roll(name: string, reason: string, observations: InstanceObservation[]): Promise<ExecutionResult> {
    const roller = this.ctx.roller;
    if (!roller) throw new Abort(`cannot replace ${name}: no way to replace instances`);
    await this.step('replace', async () => {
      const rec = await this.ctx.record.read();
      if (rec.primary === name && observations.length > 1) throw new Abort(`refusing to replace ${name}: it is the recorded primary`);
      await roller.replace(name);
    });
    this.ctx.events.event('Normal', 'InstanceReplaced', `${name} replaced to run the StatefulSet's current pod template: ${reason}`);
    return { ok: true, message: `${name} replaced`, replaced: name };
  }

  /**
   * The old primary writable again (the record still names it), the candidate replicating from it
   * again if its promotion began, the intent cleared. Not bounded by the deadline: it is what the
   * deadline leads to. An old primary that cannot be made writable fails the action with the
   * intent kept, so the next tick resumes: rolling back again, or failing over if it is gone.
   */
  private async rollbackSwitchover(oldPrimary: InstanceObservation, candidate: InstanceObservation, promoting: boolean,
    why: string): Promise<ExecutionResult> {
    await this.makeWritable(oldPrimary);
    if (promoting) {
      await this.pointAt(candidate, oldPrimary).catch((err: Error) => {
        this.ctx.log.warn('could not repoint the switchover candidate; it rejoins on a later tick', { instance: candidate.name, error: err.message });
      });
    }
    await this.ctx.record.write({ failoverInProgress: null });
    const message = `switchover to ${candidate.name} rolled back, ${oldPrimary.name} is the primary again: ${why}`;
    this.ctx.events.event('Warning', 'SwitchoverRolledBack', message);
    return { ok: false, message, rolledBack: true };
  }
}

function mustFind(observations: InstanceObservation[], name: string | undefined): InstanceObservation {
  const o = observations.find((x) => x.name === name);
  if (!o) throw new DatabaseError('other', `instance ${name ?? '(none)'} is not known`);
  return o;
}
