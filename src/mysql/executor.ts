/**
 * act: carry out one planned action, step by step, under a deadline. Every step is idempotent and
 * the record is written before the step that depends on it, so a manager restarted between any
 * two steps reads the record back and finishes the job.
 */
import type { Clock } from '../clock.js';
import { withSession, type Session, type Timeouts } from './connection.js';
import type { Dialect } from './dialect.js';
import type { InstanceObservation } from './observation.js';
import { pickCandidate, type Action, type Fix } from './planner.js';
import { probeAll } from './probe.js';
import type {
  ClusterRecord, ClusterState, ManagerCredentials, EventSink, InstanceAddress, InstanceRestarter, LastFailover,
  ManagerSpec, RoleLabel, RoleLabeler,
} from './ports.js';
import { DatabaseError } from './sanitize.js';

export interface ExecutorLimits {
  /** How long a failover candidate may take to apply its relay log. */
  applyRelayLogMs: number;
  /** How long a switchover waits for the candidate to catch up before it rolls back. */
  catchUpMs: number;
  /** The whole action. */
  actionMs: number;
}

export interface ExecutorLog {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface ExecutorContext {
  dialect: Dialect;
  credentials: ManagerCredentials;
  spec: ManagerSpec;
  record: ClusterRecord;
  labeler: RoleLabeler;
  events: EventSink;
  /** Absent (or failing): a fence falls back to SQL (kill client connections, read_only). */
  restarter?: InstanceRestarter;
  clock: Clock;
  timeouts: Timeouts;
  limits: ExecutorLimits;
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
}

class Abort extends Error {}

export function rolesFor(names: string[], state: ClusterState): Record<string, RoleLabel> {
  const roles: Record<string, RoleLabel> = {};
  for (const n of names) {
    roles[n] = state.quarantined?.includes(n) ? 'quarantined' : n === state.primary ? 'primary' : 'replica';
  }
  return roles;
}

export class Executor {
  private deadlineAt = 0;
  private current: Action = { kind: 'none', reason: '' };

  constructor(private readonly ctx: ExecutorContext) {}

  async execute(action: Action, observations: InstanceObservation[]): Promise<ExecutionResult> {
    this.current = action;
    this.deadlineAt = this.ctx.clock.now() + this.ctx.limits.actionMs;
    try {
      switch (action.kind) {
        case 'none': return { ok: true, message: action.reason };
        case 'bootstrap': return await this.bootstrap(action.primary, observations);
        case 'configure': return await this.configure(action.fixes, observations);
        case 'rejoin': return await this.rejoin(action.instance, action.unquarantine, observations);
        case 'quarantine': return await this.quarantine(action.instance, action.errant, observations);
        case 'failover': return await this.failover(action.from, action.to, action.reason, observations);
        case 'switchover': return await this.switchover(action.from, action.to, action.reason, observations);
      }
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return { ok: false, message: `${action.kind} failed: ${message}` };
    }
  }

  private async step<T>(name: string, fn: () => Promise<T>): Promise<T> {
    if (this.ctx.clock.now() > this.deadlineAt) throw new Abort(`deadline passed before step ${name}`);
    const began = this.ctx.clock.now();
    const out = await fn();
    this.ctx.log.info('database action step done', { action: this.current.kind, step: name, ms: this.ctx.clock.now() - began });
    await this.ctx.afterStep?.(this.current, name);
    return out;
  }

  private session<T>(addr: InstanceAddress, fn: (s: Session) => Promise<T>): Promise<T> {
    return withSession(addr, this.ctx.credentials, this.ctx.timeouts, fn);
  }

  private async run(addr: InstanceAddress, statements: string[], timeoutMs?: number): Promise<void> {
    await this.session(addr, async (s) => {
      for (const sql of statements) await s.query(sql, timeoutMs);
    });
  }

  private get semi(): boolean {
    return this.ctx.spec.replicationMode === 'semisync';
  }

  /** Nothing for a server without semi-sync (MySQL without the plugins, i.e. async mode). */
  private semiSyncStatements(source: boolean, replica: boolean, on?: InstanceObservation): string[] {
    if (on?.state && !on.state.semiSync.available) return [];
    return this.ctx.dialect.semiSync({ source: source && this.semi, replica: replica && this.semi,
      timeoutMs: this.ctx.spec.semiSyncTimeoutSeconds * 1000 });
  }

  /** Read-only, with client connections cut so nobody keeps writing through an open session. */
  private async fence(addr: InstanceAddress): Promise<void> {
    const d = this.ctx.dialect;
    await this.session(addr, async (s) => {
      const exclude = [this.ctx.credentials.adminUser, this.ctx.credentials.replicationUser];
      const kill = async () => {
        for (const row of await s.query(d.clientConnections(exclude))) {
          await s.query(d.killConnection(Number(row.id))).catch(() => undefined);
        }
      };
      // Kill first: a commit blocked waiting for a semi-sync ack would otherwise block read_only.
      await kill();
      for (const sql of d.setReadOnly(true)) await s.query(sql);
      await kill();
    });
  }

  /**
   * Fences a writable instance that is not the primary: by a hard restart when asked and possible
   * (never the recorded primary), else by SQL. True when it was restarted.
   */
  private async fenceWritable(addr: InstanceAddress, restart: boolean): Promise<boolean> {
    const restarter = this.ctx.restarter;
    if (restart && restarter) {
      const rec = await this.ctx.record.read();
      if (rec.primary !== addr.name) {
        try {
          await restarter.restart(addr.name);
          return true;
        } catch (err) {
          this.ctx.log.warn('could not restart instance; fencing by SQL', { instance: addr.name, error: (err as Error).message });
        }
      }
    }
    await this.fence(addr);
    return false;
  }

  private async promote(addr: InstanceObservation, semiSync: boolean): Promise<void> {
    const d = this.ctx.dialect;
    await this.run(addr, [d.stopReplica(), d.resetReplicaAll(), ...this.semiSyncStatements(semiSync, false, addr)]);
  }

  /** The one path to a writable server: only the instance the record names as primary. */
  private async makeWritable(addr: InstanceAddress): Promise<void> {
    const rec = await this.ctx.record.read();
    if (rec.primary !== addr.name) throw new Abort(`refusing to make ${addr.name} writable: the recorded primary is ${rec.primary ?? 'none'}`);
    await this.run(addr, this.ctx.dialect.setReadOnly(false));
  }

  private async pointAt(addr: InstanceObservation, primary: InstanceAddress): Promise<void> {
    const d = this.ctx.dialect;
    const c = this.ctx.credentials;
    // A replica must notice a silent (hung) primary about as fast as the manager does.
    const netTimeout = Math.max(1, this.ctx.spec.failureThresholdSeconds);
    await this.run(addr, [
      d.stopReplica(),
      ...d.setReadOnly(true),
      ...d.alignReplicaPosition(),
      d.replicaNetTimeout(netTimeout),
      ...this.semiSyncStatements(false, true, addr),
      d.changeSource({ host: primary.host, port: primary.port, user: c.replicationUser, password: c.replicationPassword,
        heartbeatSeconds: netTimeout / 2 }),
      d.startReplica(),
    ]);
  }

  private async pointAllAt(targets: InstanceObservation[], primary: InstanceAddress): Promise<void> {
    const results = await Promise.allSettled(targets.map((t) => this.pointAt(t, primary)));
    results.forEach((r, i) => {
      if (r.status === 'rejected') this.ctx.log.warn('could not repoint replica', { instance: targets[i].name, error: (r.reason as Error).message });
    });
  }

  private async moveLabels(observations: InstanceObservation[]): Promise<void> {
    const state = await this.ctx.record.read();
    await this.ctx.labeler.setRoles(rolesFor(observations.map((o) => o.name), state));
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
    await this.step('create-users', () => this.run(primary, this.ctx.dialect.bootstrapUsers(this.ctx.credentials)));
    await this.step('record-bootstrapped', () => this.ctx.record.write({ bootstrapped: true }));
    const rec = await this.ctx.record.read();
    await this.step('repoint', () => this.pointAllAt(this.others(observations, [target], rec.quarantined ?? []), primary));
    await this.step('labels', () => this.moveLabels(observations));
    this.ctx.events.event('Normal', 'DatabaseBootstrapped', `${target} is the primary; replication user, database and app user created`);
    return { ok: true, message: `bootstrapped with primary ${target}` };
  }

  private async configure(fixes: Fix[], observations: InstanceObservation[]): Promise<ExecutionResult> {
    const d = this.ctx.dialect;
    for (const fix of fixes) {
      const addr = mustFind(observations, fix.instance);
      switch (fix.kind) {
        case 'fence': {
          const restarted = await this.step(`fence ${fix.instance}`, () => this.fenceWritable(addr, fix.restart));
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
          await this.step(`semi-sync ${fix.instance}`, () => this.run(addr, this.semiSyncStatements(true, false, addr)));
          break;
        case 'semiSyncReplica':
          // A replica picks up the semi-sync setting when its IO thread reconnects.
          await this.step(`semi-sync ${fix.instance}`, () => this.run(addr,
            [...this.semiSyncStatements(false, true, addr), d.stopReplicaIoThread(), d.startReplica()]));
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
    const addr = mustFind(observations, name);
    const d = this.ctx.dialect;
    await this.step('stop-replication', () => this.run(addr, [d.stopReplica(), ...d.setReadOnly(true)]));
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
    const d = this.ctx.dialect;
    let rec = await this.ctx.record.read();
    const quarantined = rec.quarantined ?? [];
    let to = planned;
    const alreadyPromoted = rec.primary === to;
    const survivors = this.others(observations, [from], quarantined);
    // Fence: nothing more may arrive from the old primary while we compare and promote.
    await this.step('fence-replicas', async () => {
      await Promise.allSettled(survivors.filter((o) => o.name !== rec.primary).map((o) => this.run(o, [d.stopReplicaIoThread()])));
    });
    if (!alreadyPromoted) {
      const fresh = await this.step('choose', async () => {
        const now = await probeAll(observations.filter((o) => o.name !== from), d, this.ctx.credentials, this.ctx.timeouts);
        const choice = pickCandidate(now, from, quarantined, this.ctx.spec);
        if (!choice.ok) throw new Abort(choice.blocked.message);
        to = choice.name;
        return now;
      });
      const candidate = mustFind(fresh, to);
      await this.step('record-intent', () => this.ctx.record.write({ failoverInProgress: {
        kind: 'failover', from, to, reason, startedAt: rec.failoverInProgress?.startedAt ?? new Date(startedAt).toISOString() } }));
      await this.step('apply-relay-log', async () => {
        const r = candidate.state?.replica;
        if (!r || !r.retrievedText) return;
        await this.session(candidate, async (s) => {
          await s.query(d.startReplicaSqlThread());
          const seconds = Math.max(1, Math.ceil(this.ctx.limits.applyRelayLogMs / 1000));
          const [row] = await s.query(d.waitApplied(r.retrievedText, seconds), seconds * 1000 + 2000);
          if (!row || !d.waitSucceeded(row)) throw new Abort(`${to} did not apply its relay log within ${seconds} s`);
        });
      });
      await this.step('promote', () => this.promote(candidate, true));
      await this.step('record-primary', () => this.ctx.record.write({ primary: to }));
    }
    const target = mustFind(observations, to);
    await this.step('make-writable', () => this.makeWritable(target));
    await this.step('repoint', () => this.pointAllAt(this.others(observations, [from, to], quarantined), target));
    await this.step('labels', () => this.moveLabels(observations));
    rec = await this.ctx.record.read();
    const began = rec.failoverInProgress?.startedAt ?? new Date(startedAt).toISOString();
    const done: LastFailover = { kind: 'failover', from, to, reason, startedAt: began,
      durationMs: Math.max(0, this.ctx.clock.now() - Date.parse(began)) };
    await this.step('record-done', () => this.ctx.record.write({ lastFailover: done, failoverInProgress: null }));
    this.ctx.events.event('Normal', 'FailoverCompleted', `${to} promoted in place of ${from} in ${done.durationMs} ms: ${reason}`);
    return { ok: true, message: `failed over from ${from} to ${to}`, completed: done };
  }

  private async switchover(from: string, to: string, reason: string, observations: InstanceObservation[]): Promise<ExecutionResult> {
    const startedAt = this.ctx.clock.now();
    const d = this.ctx.dialect;
    let rec = await this.ctx.record.read();
    const quarantined = rec.quarantined ?? [];
    const oldPrimary = mustFind(observations, from);
    const candidate = mustFind(observations, to);
    if (rec.primary !== to) {
      await this.step('record-intent', () => this.ctx.record.write({ failoverInProgress: {
        kind: 'switchover', from, to, reason, startedAt: rec.failoverInProgress?.startedAt ?? new Date(startedAt).toISOString() } }));
      // read_only waits for in-flight commits; after it, the old primary's position is final.
      await this.step('demote-old-primary', () => this.fence(oldPrimary));
      const caughtUp = await this.step('catch-up', async () => {
        const [position] = await this.session(oldPrimary, (s) => s.query(d.probeSql.variables));
        const text = d.parseProbe(position ?? {}, [], []).executedText;
        const seconds = Math.max(1, Math.ceil(this.ctx.limits.catchUpMs / 1000));
        const [row] = await this.session(candidate, (s) => s.query(d.waitApplied(text, seconds), seconds * 1000 + 2000));
        return !!row && d.waitSucceeded(row);
      });
      if (!caughtUp) return this.rollbackSwitchover(oldPrimary, to);
      await this.step('promote', () => this.promote(candidate, true));
      await this.step('record-primary', () => this.ctx.record.write({ primary: to }));
    }
    await this.step('make-writable', () => this.makeWritable(candidate));
    await this.step('repoint', () => this.pointAllAt(this.others(observations, [to], quarantined), candidate));
    await this.step('labels', () => this.moveLabels(observations));
    rec = await this.ctx.record.read();
    const began = rec.failoverInProgress?.startedAt ?? new Date(startedAt).toISOString();
    const done: LastFailover = { kind: 'switchover', from, to, reason, startedAt: began,
      durationMs: Math.max(0, this.ctx.clock.now() - Date.parse(began)) };
    await this.step('record-done', () => this.ctx.record.write({ lastFailover: done, failoverInProgress: null }));
    this.ctx.events.event('Normal', 'SwitchoverCompleted', `${to} is the primary in place of ${from} (${done.durationMs} ms)`);
    return { ok: true, message: `switched over from ${from} to ${to}`, completed: done };
  }

  private async rollbackSwitchover(oldPrimary: InstanceObservation, to: string): Promise<ExecutionResult> {
    await this.step('rollback', async () => {
      await this.makeWritable(oldPrimary);
      await this.ctx.record.write({ failoverInProgress: null });
    });
    const message = `switchover to ${to} rolled back: it did not catch up with ${oldPrimary.name} within ${this.ctx.limits.catchUpMs} ms`;
    this.ctx.events.event('Warning', 'SwitchoverRolledBack', message);
    return { ok: false, message, rolledBack: true };
  }
}

function mustFind(observations: InstanceObservation[], name: string | undefined): InstanceObservation {
  const o = observations.find((x) => x.name === name);
  if (!o) throw new DatabaseError('other', `instance ${name ?? '(none)'} is not known`);
  return o;
}
