import { describe, expect, test } from '@jest/globals';
import type { InstanceObservation } from '../../src/mysql/observation.js';
import { decide, type Action, type Fix, type PlannerInput } from '../../src/mysql/planner.js';
import type { ClusterState } from '../../src/mysql/ports.js';
import { ROLLOUT_STUCK } from '../../src/mysql/rollout.js';
import { down, name, primary, replica, spec, up } from './fixtures.js';

const NOW = 1_000_000;
const TIMEOUT = 300_000;
const DRAIN = 5_000;
const switchedAt = (ms: number) => ({ kind: 'switchover' as const, from: name(0), to: name(1), reason: 'rolling update', startedAt: new Date(NOW - ms - 500).toISOString(), durationMs: 500 });
const ok: ClusterState = { primary: name(0), bootstrapped: true, exporterAccount: true };
const three = { ...spec, replicas: 3 };

/** The instance's pod runs an older template than its StatefulSet's update revision. */
const old = (o: InstanceObservation): InstanceObservation => ({ ...o, outdated: true });

interface Case {
  title: string;
  observations: InstanceObservation[];
  record?: ClusterState;
  input?: Partial<PlannerInput>;
  replaced?: { instance: string; at: number };
  expected: Partial<Action> & { kind: Action['kind'] };
  why?: string;
}

const cases: Case[] = [
  { title: 'nothing outdated: healthy', observations: [primary(0), replica(1, 0), replica(2, 0)], expected: { kind: 'none', reason: 'healthy' } },
  { title: 'replicas first, highest ordinal first', observations: [old(primary(0)), old(replica(1, 0)), old(replica(2, 0))],
    expected: { kind: 'roll', instance: name(2) }, why: 'replicas first' },
  { title: 'one at a time: the next replica once the first is back, updated and caught up',
    observations: [old(primary(0)), old(replica(1, 0)), replica(2, 0)], expected: { kind: 'roll', instance: name(1) } },
  { title: 'waits while the replaced instance is still its old pod (shutting down, still answering)',
    observations: [old(primary(0)), old(replica(1, 0)), old(replica(2, 0))], replaced: { instance: name(2), at: NOW - 1000 },
    expected: { kind: 'none' }, why: 'shop-mysql-2 is being replaced' },
  { title: 'a fenced replica is neither rolled nor waited for', observations: [old(primary(0)), old(replica(1, 0)), old(replica(2, 0, '0-100-10', { io: 'No' }))],
    input: { spec: { ...three, fenced: [name(2)] } }, expected: { kind: 'configure', fixes: [expect.objectContaining({ kind: 'semiSyncSource', wait: false }) as unknown as Fix] },
    why: `suspended: ${name(1)} is replaced next by the rolling update, and no other replica can acknowledge` },
  { title: 'a fenced replica is neither rolled nor waited for: the last one that acknowledges rolls once the primary no longer waits',
    observations: [old(up(0, { writable: true, executed: '0-100-10', semiReplica: false })), old(replica(1, 0)), old(replica(2, 0, '0-100-10', { io: 'No' }))],
    input: { spec: { ...three, fenced: [name(2)] } }, expected: { kind: 'roll', instance: name(1) } },
  { title: 'waits while the replaced instance is gone', observations: [old(primary(0)), old(replica(1, 0))],
    replaced: { instance: name(2), at: NOW - 1000 }, expected: { kind: 'none' }, why: '1 instance(s) missing' },
  { title: 'waits while the replaced instance is back but not answering yet', observations: [old(primary(0)), old(replica(1, 0)), down(2)],
    replaced: { instance: name(2), at: NOW - 1000 }, expected: { kind: 'none' }, why: 'shop-mysql-2 is not answering' },
  { title: 'waits until the replaced instance has caught up',
    observations: [old(primary(0)), old(replica(1, 0)), replica(2, 0, '0-100-10', { behind: 40 })],
    replaced: { instance: name(2), at: NOW - 1000 }, expected: { kind: 'none' }, why: 'shop-mysql-2 is 40 s behind' },
  { title: 'waits until the replaced instance\'s pod is Ready (the Services route to it)',
    observations: [old(primary(0)), old(replica(1, 0)), { ...replica(2, 0), ready: false }],
    replaced: { instance: name(2), at: NOW - 1000 }, expected: { kind: 'none' }, why: 'shop-mysql-2 is not Ready' },
  { title: 'a replica a few seconds behind counts as caught up (under writes it is rarely 0)',
    observations: [old(primary(0)), old(replica(1, 0)), replica(2, 0, '0-100-10', { behind: 5 })], expected: { kind: 'roll', instance: name(1) } },
  { title: 'stuck: the replaced instance is overdue; reported, nothing else is replaced',
    observations: [old(primary(0)), old(replica(1, 0)), down(2)], replaced: { instance: name(2), at: NOW - TIMEOUT - 1 },
    expected: { kind: 'none', blocked: { reason: ROLLOUT_STUCK, message: expect.stringContaining('shop-mysql-2, replaced 300 s ago, is not back in replication') as unknown as string } } },
  { title: 'never starts while a replica is down', observations: [old(primary(0)), old(replica(1, 0)), down(2)],
    expected: { kind: 'none' }, why: 'shop-mysql-2 is not answering' },
  { title: 'never starts while an instance is missing', observations: [old(primary(0)), old(replica(1, 0))],
    expected: { kind: 'none' }, why: '1 instance(s) missing' },
  { title: 'never starts while a replica is quarantined', observations: [old(primary(0)), old(replica(1, 0)), old(replica(2, 0, '0-100-10,0-102-1'))],
    record: { ...ok, quarantined: [name(2)] }, expected: { kind: 'none' }, why: 'shop-mysql-2 is quarantined' },
  { title: 'never starts while a replica is not replicating (being repaired first)',
    observations: [old(primary(0)), old(replica(1, 0, '0-100-10', { sqlError: 'Duplicate entry' })), old(replica(2, 0))],
    expected: { kind: 'none' }, why: 'shop-mysql-1 is not replicating' },
  { title: 'a broken replica is repaired before any rollout', observations: [old(primary(0)), old(replica(1, 0, '0-100-10', { io: 'No' })), old(replica(2, 0))],
    expected: { kind: 'rejoin', instance: name(1) } },
  { title: 'never starts during a failover in progress: the failover resumes',
    observations: [old(primary(0)), old(replica(1, 0)), old(replica(2, 0))],
    record: { ...ok, failoverInProgress: { kind: 'failover', from: name(0), to: name(1), reason: 'x', startedAt: '2026-01-01T00:00:00Z' } },
    expected: { kind: 'failover', to: name(1) } },
  { title: 'a lost primary fails over, rollout or not', observations: [down(0), old(replica(1, 0, '0-100-10', { io: 'Connecting' })), old(replica(2, 0, '0-100-10', { io: 'Connecting' }))],
    input: { primaryUnreachableSince: NOW - 10_000 }, expected: { kind: 'failover' } },
  { title: 'replicas updated: the primary is switched over to the lowest updated replica',
    observations: [old(primary(0)), replica(1, 0), replica(2, 0)], expected: { kind: 'switchover', from: name(0), to: name(1) }, why: 'rolling update' },
  { title: 'the switchover prefers the requested primary when it is an updated replica',
    observations: [old(primary(0)), replica(1, 0), replica(2, 0)], input: { spec: { ...three, desiredPrimary: name(2) } },
    expected: { kind: 'switchover', from: name(0), to: name(2) } },
  { title: 'a failed switchover is not retried before its backoff',
    observations: [old(primary(0)), replica(1, 0), replica(2, 0)], input: { switchoverBackoff: { until: NOW + 1, why: { reason: 'SwitchoverRolledBack', message: 'm' } } },
    expected: { kind: 'none', blocked: { reason: 'SwitchoverRolledBack', message: 'm' } }, why: 'backoff' },
  { title: 'after the switchover the old primary rolls as a replica, once its clients have had time to leave it',
    observations: [old(replica(0, 1)), primary(1), replica(2, 1)], record: { primary: name(1), bootstrapped: true, exporterAccount: true, lastFailover: switchedAt(DRAIN) },
    expected: { kind: 'roll', instance: name(0) } },
  { title: 'right after the switchover the old primary is left to its departing clients',
    observations: [old(replica(0, 1)), primary(1), replica(2, 1)], record: { primary: name(1), bootstrapped: true, exporterAccount: true, lastFailover: switchedAt(DRAIN - 1) },
    expected: { kind: 'none' }, why: 'once clients have left it' },
  { title: 'the requested primary, outdated, waits for its roll rather than being switched back to',
    observations: [old(replica(0, 1)), primary(1), replica(2, 1)], record: { primary: name(1), bootstrapped: true, exporterAccount: true },
    input: { spec: { ...three, desiredPrimary: name(0) } }, expected: { kind: 'roll', instance: name(0) } },
  { title: 'a single instance is replaced in place: no replica to switch over to', observations: [old(primary(0))],
    input: { spec: { ...spec, replicas: 1 } }, expected: { kind: 'roll', instance: name(0) }, why: 'the only instance' },
  { title: 'instances about to be scaled away are not rolled nor waited for',
    observations: [old(primary(0)), replica(1, 0), replica(2, 0), old(replica(3, 0)), down(4)], expected: { kind: 'switchover', to: name(1) } },
  { title: 'scaling away the primary comes before the rollout',
    observations: [old(replica(0, 2)), old(replica(1, 2)), old(primary(2))], record: { primary: name(2), bootstrapped: true, exporterAccount: true },
    input: { spec: { ...spec, replicas: 2 } }, expected: { kind: 'switchover', from: name(2), to: name(0) } },
];

describe('rolling update by switchover', () => {
  test.each(cases.map((c) => [c.title, c] as const))('%s', (_title, c) => {
    const action = decide({ now: NOW, spec: three, record: c.record ?? ok, observations: c.observations,
      rollout: { timeoutMs: TIMEOUT, drainMs: DRAIN, replaced: c.replaced }, ...c.input });
    expect(action).toMatchObject(c.expected);
    if (c.why) expect(action.reason).toContain(c.why);
  });

  test('without a way to replace instances there is no rollout', () => {
    const action = decide({ now: NOW, spec: three, record: ok, observations: [old(primary(0)), old(replica(1, 0)), old(replica(2, 0))] });
    expect(action).toEqual({ kind: 'none', reason: 'healthy' });
  });
});
