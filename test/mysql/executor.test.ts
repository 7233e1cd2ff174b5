/**
 * The executor against the fake database: every action's steps in order (the record written
 * before the step that depends on it), the same end when re-run after a crash at any step, and
 * the refusals that keep a second writer from ever appearing.
 */
import { describe, expect, test } from '@jest/globals';
import type { Clock } from '../../src/clock.js';
import { Executor, type ExecutorTimings } from '../../src/mysql/executor.js';
import { MemoryEvents } from '../../src/mysql/memory.js';
import type { InstanceObservation } from '../../src/mysql/observation.js';
import type { Action } from '../../src/mysql/planner.js';
import type { ClusterState } from '../../src/mysql/ports.js';
import { FakeClock } from '../kube/fake-clock.js';
import { FakeCluster } from './fake-database.js';
import { down, name, primary, replica, spec, up } from './fixtures.js';

const T0 = Date.parse('2026-12-01T10:00:00Z');
const TIMINGS: ExecutorTimings = { applyRelayLogMs: 10_000, switchoverTimeoutMs: 5_000, actionDeadlineMs: 30_000, connectTimeoutMs: 500 };
const ok: ClusterState = { primary: name(0), bootstrapped: true, exporterAccount: true };
const silent = { info: () => undefined, warn: () => undefined };
const pointAt = (i: number, source: number) => `${name(i)} point-at ${name(source)} (net timeout 2s, semi-sync replica)`;

class StepClock implements Clock {
  t = T0;
  now(): number { return this.t; }
  after(): { cancel(): void } { return { cancel: () => undefined }; }
}

function run(cluster: FakeCluster, action: Action, observations: InstanceObservation[],
  opts: { crashAt?: number; clock?: Clock; afterStep?: (step: string) => void; killer?: boolean } = {}) {
  const events = new MemoryEvents();
  const steps: string[] = [];
  const executor = new Executor({
    connect: cluster.connect, spec, record: cluster.record, labeler: cluster.labeler, events, restarter: cluster.restarter,
    ...(opts.killer ? { killer: cluster.killer } : {}), clock: opts.clock ?? new StepClock(), timings: TIMINGS, log: silent,
    afterStep: (_a, step) => {
      steps.push(step);
      opts.afterStep?.(step);
      if (steps.length - 1 === opts.crashAt) throw new Error(`crashed after ${step}`);
    },
  });
  return executor.execute(action, observations).then((result) => ({ result, steps, events: events.events }));
}

interface Case {
  title: string;
  observations: InstanceObservation[];
  record: ClusterState;
  action: Action;
  steps: string[];
  timeline: string[];
  after: ClusterState;
  event: string;
}

const lost = { io: 'Connecting' as const, retrieved: '0-100-10' };
const cases: Case[] = [
  {
    title: 'bootstrap: the primary is recorded before it is promoted, users before replicas attach',
    observations: [up(0), up(1), up(2)], record: {}, action: { kind: 'bootstrap', primary: name(0), reason: 'new' },
    steps: ['record-primary', 'promote', 'make-writable', 'create-users', 'record-bootstrapped', 'repoint', 'labels'],
    timeline: ['record primary', `${name(0)} promote`, `${name(0)} writable`, `${name(0)} bootstrap-users`, 'record bootstrapped,exporterAccount',
      pointAt(1, 0), pointAt(2, 0), 'labels'],
    after: { primary: name(0), bootstrapped: true, exporterAccount: true }, event: 'DatabaseBootstrapped',
  },
  {
    title: 'failover: replicas stop receiving, the intent and then the new primary are recorded before it is made writable',
    observations: [down(0), replica(1, 0, '0-100-9', lost), replica(2, 0, '0-100-10', { io: 'Connecting' })], record: ok,
    action: { kind: 'failover', from: name(0), to: name(1), reason: 'primary gone' },
    steps: ['fence-replicas', 'choose', 'record-intent', 'apply-relay-log', 'promote', 'record-primary', 'make-writable', 'repoint', 'labels', 'record-done'],
    timeline: [`${name(1)} stop-replication(io)`, `${name(2)} stop-replication(io)`, 'record failoverInProgress',
      `${name(1)} start-replication(sql)`, `${name(1)} wait-for 0-100-10`, `${name(1)} promote (semi-sync source)`, 'record primary',
      `${name(1)} writable`, pointAt(2, 1), 'labels', 'record failoverInProgress,lastFailover'],
    after: { primary: name(1), bootstrapped: true, exporterAccount: true, lastFailover: { kind: 'failover', from: name(0), to: name(1), reason: 'primary gone',
      startedAt: new Date(T0).toISOString(), durationMs: 0 } },
    event: 'FailoverCompleted',
  },
  {
    title: 'switchover: the old primary is made read-only and caught up with before the candidate is promoted',
    observations: [primary(0), replica(1, 0), replica(2, 0)], record: ok,
    action: { kind: 'switchover', from: name(0), to: name(2), reason: 'asked' },
    steps: ['record-intent', 'demote-old-primary', 'catch-up', 'promote', 'record-primary', 'make-writable', 'repoint', 'labels', 'record-done'],
    timeline: ['record failoverInProgress', `${name(0)} kill-clients`, `${name(0)} read-only`, `${name(0)} kill-clients`,
      `${name(2)} wait-for 0-100-10`, `${name(2)} promote (semi-sync source)`, 'record primary', `${name(2)} writable`,
      pointAt(0, 2), pointAt(1, 2), 'labels', 'record failoverInProgress,lastFailover'],
    after: { primary: name(2), bootstrapped: true, exporterAccount: true, lastFailover: { kind: 'switchover', from: name(0), to: name(2), reason: 'asked',
      startedAt: new Date(T0).toISOString(), durationMs: 0 } },
    event: 'SwitchoverCompleted',
  },
  {
    title: 'quarantine: replication stopped and read-only before it is recorded and its label moves',
    observations: [primary(0), replica(1, 0), replica(2, 0, '0-100-10,0-102-1')], record: ok,
    action: { kind: 'quarantine', instance: name(2), errant: '0-102-1', reason: 'errant' },
    steps: ['stop-replication', 'record', 'labels'],
    timeline: [`${name(2)} stop-replication`, `${name(2)} read-only`, 'record quarantined', 'labels'],
    after: { ...ok, quarantined: [name(2)] }, event: 'InstanceQuarantined',
  },
  {
    title: 'rejoin of a quarantined instance: replicating again before it is taken off the list',
    observations: [primary(0), replica(1, 0), replica(2, 0)], record: { ...ok, quarantined: [name(2)] },
    action: { kind: 'rejoin', instance: name(2), unquarantine: true, reason: 'clean again' },
    steps: ['repoint', 'record', 'labels'],
    timeline: [pointAt(2, 0), 'record quarantined', 'labels'],
    after: { ...ok, quarantined: [] }, event: 'InstanceRejoined',
  },
];

/** What the servers look like: who is writable, and where each replicates from. */
function servers(cluster: FakeCluster): Record<string, string> {
  return Object.fromEntries([...cluster.states].map(([n, s]) => [n, s.readOnly ? `from ${s.replica?.sourcePort ?? 'none'}` : 'writable']));
}

describe('each action, in order', () => {
  test.each(cases.map((c) => [c.title, c] as const))('%s', async (_t, c) => {
    const cluster = new FakeCluster(c.observations, c.record);
    const { result, steps, events } = await run(cluster, c.action, c.observations);
    expect(result.ok).toBe(true);
    expect(steps).toEqual(c.steps);
    expect(cluster.timeline).toEqual(c.timeline);
    expect(cluster.record.snapshot()).toEqual(c.after);
    expect(events.map((e) => e.reason)).toEqual([c.event]);
    const writable = Object.entries(servers(cluster)).filter(([, v]) => v === 'writable').map(([n]) => n);
    expect(writable).toEqual([c.after.primary]);
  });
});

describe('re-run after a crash at any step', () => {
  const runs = cases.flatMap((c) => c.steps.map((step, i) => [`${c.action.kind}: crash after ${step}`, c, i] as const));
  test.each(runs)('%s ends as if uninterrupted, never with a writer the record does not name', async (_t, c, crashAt) => {
    const clean = new FakeCluster(c.observations, c.record);
    await run(clean, c.action, c.observations);

    const cluster = new FakeCluster(c.observations, c.record);
    const crashed = await run(cluster, c.action, c.observations, { crashAt });
    expect(crashed.result.ok).toBe(false);
    const recorded = cluster.record.snapshot().primary;
    for (const [n, s] of cluster.states) if (!s.readOnly) expect(n).toBe(recorded);

    const again = await run(cluster, c.action, c.observations);
    expect(again.result).toEqual(expect.objectContaining({ ok: true }));
    expect(cluster.record.snapshot()).toEqual(clean.record.snapshot());
    expect(servers(cluster)).toEqual(servers(clean));
    expect(cluster.labeler.roles).toEqual(clean.labeler.roles);
  });
});

describe('configure fixes', () => {
  const returning = [up(0, { writable: true, executed: '0-100-12' }), primary(1, '0-100-10,0-101-3'), replica(2, 1, '0-100-10,0-101-3')];
  const record = { primary: name(1), bootstrapped: true, exporterAccount: true };

  test.each([
    ['a fence by restart', { kind: 'fence', instance: name(0), method: 'restart' }, [`restart ${name(0)}`], 'restarted hard'],
    ['a fence by SQL: clients killed before and after read-only', { kind: 'fence', instance: name(0), method: 'sql' },
      [`${name(0)} kill-clients`, `${name(0)} read-only`, `${name(0)} kill-clients`], 'made read-only'],
  ] as const)('%s', async (_t, fix, timeline, message) => {
    const cluster = new FakeCluster(returning, record);
    const { result, events } = await run(cluster, { kind: 'configure', fixes: [fix], reason: 'r' }, returning);
    expect(result).toEqual(expect.objectContaining({ ok: true }));
    expect(result.restarted ?? []).toEqual(fix.method === 'restart' ? [name(0)] : []);
    expect(cluster.timeline).toEqual(timeline);
    expect(events[0]).toEqual(expect.objectContaining({ reason: 'InstanceFenced', message: expect.stringContaining(message) }));
  });

  test('a restart that fails falls back to the SQL fence', async () => {
    const cluster = new FakeCluster(returning, record);
    cluster.failing.add(`restart ${name(0)}`);
    const { result } = await run(cluster, { kind: 'configure', fixes: [{ kind: 'fence', instance: name(0), method: 'restart' }], reason: 'r' }, returning);
    expect(result.ok).toBe(true);
    expect(result.restarted).toBeUndefined();
    expect(cluster.timeline).toEqual([`${name(0)} kill-clients`, `${name(0)} read-only`, `${name(0)} kill-clients`]);
  });

  test('promote, semi-sync source and semi-sync replica', async () => {
    const obs = [up(0, { source: 1, executed: '0-100-10' }), replica(1, 0)];
    const cluster = new FakeCluster(obs, ok);
    const { result } = await run(cluster, { kind: 'configure', reason: 'r', fixes: [
      { kind: 'promote', instance: name(0) }, { kind: 'semiSyncSource', instance: name(0), wait: true }, { kind: 'semiSyncReplica', instance: name(1) }] }, obs);
    expect(result.ok).toBe(true);
    expect(cluster.timeline).toEqual([`${name(0)} promote (semi-sync source)`, `${name(0)} writable`, `${name(0)} semi-sync source=true replica=false`,
      `${name(1)} semi-sync source=false replica=true`, `${name(1)} stop-replication(io)`, `${name(1)} start-replication`]);
  });

  test('the semi-sync wait suspended while the last replica that acknowledges is away, then resumed: each said in an Event', async () => {
    const obs = [primary(0), replica(1, 0)];
    const cluster = new FakeCluster(obs, ok);
    const suspended = await run(cluster, { kind: 'configure', reason: 'r', fixes: [
      { kind: 'semiSyncSource', instance: name(0), wait: false, suspended: `${name(1)} is being rebuilt, and no other replica can acknowledge` }] }, obs);
    const resumed = await run(cluster, { kind: 'configure', reason: 'r', fixes: [{ kind: 'semiSyncSource', instance: name(0), wait: true, resumed: true }] }, obs);
    expect(cluster.timeline).toEqual([`${name(0)} semi-sync source=false replica=false`, `${name(0)} semi-sync source=true replica=false`]);
    expect(suspended.events).toEqual([expect.objectContaining({ type: 'Warning', reason: 'SemiSyncSuspended',
      message: `${name(0)} commits without waiting for a replica's acknowledgement (semi-sync suspended) while ${name(1)} is being rebuilt, `
        + 'and no other replica can acknowledge; it waits again once a replica can acknowledge' })]);
    expect(resumed.events).toEqual([expect.objectContaining({ type: 'Normal', reason: 'SemiSyncResumed' })]);
  });

  test('the exporter account of a stack bootstrapped before it: made on the primary, then recorded', async () => {
    const obs = [primary(0), replica(1, 0)];
    const cluster = new FakeCluster(obs, { primary: name(0), bootstrapped: true });
    const { result, events } = await run(cluster, { kind: 'configure', reason: 'r', fixes: [{ kind: 'exporterAccount', instance: name(0) }] }, obs);
    expect(result.ok).toBe(true);
    expect(events).toEqual([expect.objectContaining({ reason: 'ExporterAccountCreated', message: `mysqld-exporter's account created on primary ${name(0)}` })]);
    expect(cluster.timeline).toEqual([`${name(0)} exporter-account`, 'record exporterAccount']);
    expect(cluster.record.snapshot()).toEqual({ primary: name(0), bootstrapped: true, exporterAccount: true });
  });
});

describe('refusals', () => {
  test('only the recorded primary is ever made writable', async () => {
    const obs = [primary(0), replica(1, 0)];
    const cluster = new FakeCluster(obs, ok);
    const { result } = await run(cluster, { kind: 'configure', fixes: [{ kind: 'promote', instance: name(1) }], reason: 'r' }, obs);
    expect(result).toEqual({ ok: false, message: `configure failed: refusing to make ${name(1)} writable: the recorded primary is ${name(0)}` });
    expect(cluster.timeline).not.toContain(`${name(1)} writable`);
  });

  test('the recorded primary is never restarted, even when asked: fenced by SQL', async () => {
    const obs = [primary(0), replica(1, 0)];
    const cluster = new FakeCluster(obs, ok);
    await run(cluster, { kind: 'configure', fixes: [{ kind: 'fence', instance: name(0), method: 'restart' }], reason: 'r' }, obs);
    expect(cluster.timeline).toEqual([`${name(0)} kill-clients`, `${name(0)} read-only`, `${name(0)} kill-clients`]);
  });

  test('a failover without a complete candidate stops before it records anything', async () => {
    const obs = [down(0), replica(1, 0, '0-100-9', { io: 'Connecting' }), replica(2, 0, '0-100-10', { io: 'Connecting', sqlError: 'boom' })];
    const cluster = new FakeCluster(obs, ok);
    const { result } = await run(cluster, { kind: 'failover', from: name(0), to: name(2), reason: 'r' }, obs);
    expect(result.ok).toBe(false);
    expect(result.message).toContain('needs 2 healthy instance(s)');
    expect(cluster.record.snapshot()).toEqual(ok);
    expect(cluster.timeline.filter((e) => !e.endsWith('stop-replication(io)'))).toEqual([]);
  });

  test('a candidate that cannot apply its relay log in time is not promoted', async () => {
    const obs = [down(0), replica(1, 0, '0-100-9', lost), replica(2, 0, '0-100-9', lost)];
    const cluster = new FakeCluster(obs, ok);
    cluster.lagging.add(name(1));
    const { result } = await run(cluster, { kind: 'failover', from: name(0), to: name(1), reason: 'r' }, obs);
    expect(result).toEqual({ ok: false, message: `failover failed: ${name(1)} did not apply its relay log within 10000 ms` });
    expect(cluster.timeline.some((e) => e.includes('promote'))).toBe(false);
    expect(cluster.record.snapshot().primary).toBe(name(0));
  });

  test('no step starts after the action deadline', async () => {
    const obs = [down(0), replica(1, 0, '0-100-9', lost), replica(2, 0, '0-100-10', { io: 'Connecting' })];
    const cluster = new FakeCluster(obs, ok);
    const clock = new StepClock();
    const { result, steps } = await run(cluster, { kind: 'failover', from: name(0), to: name(2), reason: 'gone' }, obs,
      { clock, afterStep: (step) => { if (step === 'fence-replicas') clock.t += TIMINGS.actionDeadlineMs + 1; } });
    expect(result).toEqual({ ok: false, message: 'failover failed: deadline passed before step choose' });
    expect(steps).toEqual(['fence-replicas']);
  });
});

describe('a hung primary is killed before its replicas stop receiving from it', () => {
  const failover: Action = { kind: 'failover', from: name(0), to: name(1), reason: 'hung' };
  const observed = (kind: 'timeout' | 'refused') => [down(0, kind), replica(1, 0, '0-100-10', lost), replica(2, 0, '0-100-10', lost)];

  test('hung (its probe timed out): killed first, and reported as restarted so it is not fenced again while it comes back', async () => {
    const cluster = new FakeCluster(observed('timeout'), ok);
    const { result, steps } = await run(cluster, failover, observed('timeout'), { killer: true });
    expect(steps.slice(0, 2)).toEqual(['kill-old-primary', 'fence-replicas']);
    expect(cluster.timeline[0]).toBe(`kill ${name(0)}`);
    expect(result).toMatchObject({ ok: true, restarted: [name(0)] });
  });

  test('gone (its connection refused): not killed, nothing to wait for', async () => {
    const cluster = new FakeCluster(observed('refused'), ok);
    const { result, steps } = await run(cluster, failover, observed('refused'), { killer: true });
    expect(steps[0]).toBe('fence-replicas');
    expect(cluster.timeline.some((e) => e.startsWith('kill'))).toBe(false);
    expect(result.restarted).toBeUndefined();
  });

  test('a kill that fails: the failover goes on, fencing by SQL alone', async () => {
    const cluster = new FakeCluster(observed('timeout'), ok);
    cluster.failing.add(`kill ${name(0)}`);
    const { result } = await run(cluster, failover, observed('timeout'), { killer: true });
    expect(result).toMatchObject({ ok: true, completed: { kind: 'failover', to: name(1) } });
    expect(result.restarted).toBeUndefined();
  });

  test('a kill that hangs: given up after the connect timeout, the failover goes on', async () => {
    const cluster = new FakeCluster(observed('timeout'), ok);
    cluster.hanging.add(`kill ${name(0)}`);
    const clock = new FakeClock(T0);
    const pending = run(cluster, failover, observed('timeout'), { killer: true, clock });
    while (clock.pendingTimers() === 0) await new Promise((r) => setImmediate(r));
    clock.advance(TIMINGS.connectTimeoutMs);
    const { result, steps } = await pending;
    expect(steps[1]).toBe('fence-replicas');
    expect(result).toMatchObject({ ok: true, completed: { kind: 'failover', to: name(1) } });
    expect(result.restarted).toBeUndefined();
  });
});

describe('a switchover always ends by its deadline: rolled back, the old primary writable again', () => {
  const obs = [primary(0), replica(1, 0), replica(2, 0)];
  const switchover: Action = { kind: 'switchover', from: name(0), to: name(2), reason: 'asked' };
  const rolledBack = (why: string) => ({ ok: false, rolledBack: true,
    message: `switchover to ${name(2)} rolled back, ${name(0)} is the primary again: ${why}` });

  function expectRolledBack(cluster: FakeCluster, events: { reason: string }[]) {
    expect(cluster.record.snapshot()).toEqual(ok);
    expect(Object.entries(servers(cluster)).filter(([, v]) => v === 'writable').map(([n]) => n)).toEqual([name(0)]);
    expect(events.map((e) => e.reason)).toEqual(['SwitchoverRolledBack']);
  }

  test('a candidate that does not catch up in time', async () => {
    const cluster = new FakeCluster(obs, ok);
    cluster.lagging.add(name(2));
    const { result, events } = await run(cluster, switchover, obs);
    expect(result).toEqual(rolledBack(`it did not catch up with ${name(0)} within ${TIMINGS.switchoverTimeoutMs} ms`));
    expect(cluster.timeline.slice(-2)).toEqual([`${name(0)} writable`, 'record failoverInProgress']);
    expectRolledBack(cluster, events);
  });

  test('a candidate that fails while catching up (hung: its connection times out)', async () => {
    const cluster = new FakeCluster(obs, ok);
    cluster.failing.add(`${name(2)} wait-for 0-100-10`);
    const { result, events } = await run(cluster, switchover, obs);
    expect(result).toEqual(rolledBack(`${name(2)} wait-for 0-100-10: injected failure`));
    expect(cluster.timeline.slice(-2)).toEqual([`${name(0)} writable`, 'record failoverInProgress']);
    expectRolledBack(cluster, events);
  });

  test('a candidate that hangs while promoted: abandoned when the deadline passes, pointed back at the old primary', async () => {
    const cluster = new FakeCluster(obs, ok);
    cluster.hanging.add(`${name(2)} promote (semi-sync source)`);
    const clock = new FakeClock(T0);
    const { result, steps, events } = await run(cluster, switchover, obs, { clock, afterStep: (step) => {
      if (step === 'catch-up') setTimeout(() => clock.advance(TIMINGS.switchoverTimeoutMs), 0);
    } });
    expect(result).toEqual(rolledBack(`promoting ${name(2)} did not finish in time`));
    expect(steps).toEqual(['record-intent', 'demote-old-primary', 'catch-up']);
    expect(cluster.timeline.slice(-3)).toEqual([`${name(0)} writable`, pointAt(2, 0), 'record failoverInProgress']);
    expectRolledBack(cluster, events);
  });

  test('a promotion that fails: the candidate replicates from the old primary again', async () => {
    const cluster = new FakeCluster(obs, ok);
    cluster.failing.add(`${name(2)} promote (semi-sync source)`);
    const { result, events } = await run(cluster, switchover, obs);
    expect(result).toEqual(rolledBack(`${name(2)} promote (semi-sync source): injected failure`));
    expect(cluster.timeline.slice(-3)).toEqual([`${name(0)} writable`, pointAt(2, 0), 'record failoverInProgress']);
    expectRolledBack(cluster, events);
  });

  test('the deadline passing between steps: the next step is not started', async () => {
    const cluster = new FakeCluster(obs, ok);
    const clock = new StepClock();
    const { result, steps, events } = await run(cluster, switchover, obs,
      { clock, afterStep: (step) => { if (step === 'demote-old-primary') clock.t += TIMINGS.switchoverTimeoutMs; } });
    expect(result).toEqual(rolledBack(`reading ${name(0)}'s position not started: the deadline had passed`));
    expect(steps).toEqual(['record-intent', 'demote-old-primary']);
    expectRolledBack(cluster, events);
  });

  test('a resumed switchover keeps the first attempt\'s deadline: past it, it rolls back at once', async () => {
    const began = new Date(T0 - TIMINGS.switchoverTimeoutMs).toISOString();
    const demoted = [up(0, { executed: '0-100-10' }), replica(1, 0), replica(2, 0)];
    const cluster = new FakeCluster(demoted, { ...ok, failoverInProgress: { kind: 'switchover', from: name(0), to: name(2), reason: 'asked', startedAt: began } });
    const { result, events } = await run(cluster, switchover, demoted);
    expect(result).toEqual(rolledBack(`demoting ${name(0)} not started: the deadline had passed`));
    expect(cluster.timeline).toEqual(['record failoverInProgress', `${name(0)} writable`, 'record failoverInProgress']);
    expectRolledBack(cluster, events);
  });

  test('an old primary that cannot be made writable again: the intent is kept, so the next tick resumes', async () => {
    const cluster = new FakeCluster(obs, ok);
    cluster.lagging.add(name(2));
    cluster.failing.add(`${name(0)} writable`);
    const { result, events } = await run(cluster, switchover, obs);
    expect(result.ok).toBe(false);
    expect(result.message).toContain(`${name(0)} writable: injected failure`);
    expect(cluster.record.snapshot().failoverInProgress).toMatchObject({ kind: 'switchover', from: name(0), to: name(2) });
    expect(events).toEqual([]);
  });
});

describe('roll (a rolling update replaces one instance)', () => {
  function rollWith(obs: InstanceObservation[], instance: string) {
    const cluster = new FakeCluster(obs, ok);
    const replaced: string[] = [];
    const events = new MemoryEvents();
    const executor = new Executor({
      connect: cluster.connect, spec, record: cluster.record, labeler: cluster.labeler, events,
      roller: { replace: async (n) => { replaced.push(n); } }, clock: new StepClock(), timings: TIMINGS, log: silent,
    });
    return executor.execute({ kind: 'roll', instance, reason: 'rolling update' }, obs).then((result) => ({ result, replaced, events: events.events }));
  }

  test('a replica is replaced, with an Event; nothing is said to the servers', async () => {
    const { result, replaced, events } = await rollWith([primary(0), replica(1, 0), replica(2, 0)], name(2));
    expect(result).toEqual({ ok: true, message: `${name(2)} replaced`, replaced: name(2) });
    expect(replaced).toEqual([name(2)]);
    expect(events.map((e) => e.reason)).toEqual(['InstanceReplaced']);
  });

  test('the recorded primary is never replaced while another instance could take over', async () => {
    const { result, replaced } = await rollWith([primary(0), replica(1, 0)], name(0));
    expect(result).toEqual({ ok: false, message: `roll failed: refusing to replace ${name(0)}: it is the recorded primary` });
    expect(replaced).toEqual([]);
  });

  test('a lone primary is replaced: there is nobody to switch over to', async () => {
    const { result, replaced } = await rollWith([primary(0)], name(0));
    expect(result.ok).toBe(true);
    expect(replaced).toEqual([name(0)]);
  });
});
