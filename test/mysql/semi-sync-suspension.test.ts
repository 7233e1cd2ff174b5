import { describe, expect, test } from '@jest/globals';
import type { InstanceObservation } from '../../src/mysql/observation.js';
import { decide, type Action, type PlannerInput } from '../../src/mysql/planner.js';
import type { ClusterState } from '../../src/mysql/ports.js';
import { semiSyncSuspension } from '../../src/mysql/semi-sync-suspension.js';
import { down, name, primary, replica, spec, up } from './fixtures.js';

const NOW = 1_000_000;
const ok: ClusterState = { primary: name(0), bootstrapped: true, exporterAccount: true };
const two = { ...spec, replicas: 2 };
const rebuilding = (instance: string): ClusterState => ({ ...ok, rebuild: { instance, donor: name(0), reason: 'r', startedAt: new Date(NOW).toISOString() } });
const old = (o: InstanceObservation): InstanceObservation => ({ ...o, outdated: true });
/** The primary with its semi-sync wait off. */
const asyncPrimary = (i: number) => up(i, { writable: true, executed: '0-100-10', semiSource: false, semiReplica: false });
const suspend = (why: string): Action => ({ kind: 'configure', reason: expect.stringContaining('suspended') as unknown as string,
  fixes: [{ kind: 'semiSyncSource', instance: name(0), wait: false, suspended: expect.stringContaining(why) as unknown as string }] });

interface Case {
  title: string;
  observations: InstanceObservation[];
  record?: ClusterState;
  input?: Partial<PlannerInput>;
  expected: Partial<Action> & { kind: Action['kind'] };
}

const cases: Case[] = [
  { title: 'two instances: before the only replica rolls, the primary stops waiting', observations: [old(primary(0)), old(replica(1, 0))],
    expected: suspend(`${name(1)} is replaced next by the rolling update, and no other replica can acknowledge`) },
  { title: 'two instances, the wait suspended: the only replica rolls', observations: [old(asyncPrimary(0)), old(replica(1, 0))],
    expected: { kind: 'roll', instance: name(1) } },
  { title: 'two instances: while the replaced replica is away the wait stays off', observations: [old(asyncPrimary(0)), down(1)],
    input: { rollout: { timeoutMs: 300_000, drainMs: 5000, replaced: { instance: name(1), at: NOW - 1000 } } }, expected: { kind: 'none' } },
  { title: 'two instances: the replica back, updated and receiving: the wait resumes (said once, by the manager that suspended it)',
    observations: [old(asyncPrimary(0)), replica(1, 0)], input: { semiSyncSuspendedOn: name(0) },
    expected: { kind: 'configure', fixes: [{ kind: 'semiSyncSource', instance: name(0), wait: true, resumed: true }] } },
  { title: 'three instances: another replica acknowledges while one rolls; the wait stays on', observations: [old(primary(0)), old(replica(1, 0)), old(replica(2, 0))],
    input: { spec: { ...spec, replicas: 3 } }, expected: { kind: 'roll', instance: name(2) } },
  { title: 'two instances: the only replica is being rebuilt; the primary stops waiting', observations: [primary(0), up(1)], record: rebuilding(name(1)),
    expected: suspend(`${name(1)} is being rebuilt`) },
  { title: 'two instances, rebuilt replica replicating and the record cleared: the wait resumes', observations: [asyncPrimary(0), replica(1, 0)],
    expected: { kind: 'configure', fixes: [{ kind: 'semiSyncSource', instance: name(0), wait: true }] } },
  { title: 'a replica lost by a crash suspends nothing: that wait is what semi-sync is for', observations: [primary(0), down(1)],
    expected: { kind: 'none', reason: 'healthy' } },
  { title: 'async replication: nothing to suspend', observations: [up(0, { writable: true, executed: '0-100-10', semiReplica: false }), up(1, { source: 0, executed: '0-100-10', semiReplica: false })],
    record: rebuilding(name(1)), input: { spec: { ...two, replicationMode: 'async' } }, expected: { kind: 'none', reason: 'healthy' } },
];

describe('the primary\'s semi-sync wait while the manager takes its last acknowledging replica away', () => {
  test.each(cases.map((c) => [c.title, c] as const))('%s', (_title, c) => {
    const action = decide({ now: NOW, spec: two, record: c.record ?? ok, observations: c.observations,
      rollout: { timeoutMs: 300_000, drainMs: 5000 }, ...c.input });
    expect(action).toMatchObject(c.expected);
  });

  test('a quarantined replica or one of another source acknowledges nothing', () => {
    const observations = [primary(0), up(1), replica(2, 0, '0-100-10,0-102-1'), replica(3, 2)];
    expect(semiSyncSuspension({ primary: observations[0], observations, quarantined: [name(2)], rebuilding: name(1) }))
      .toBe(`${name(1)} is being rebuilt, and no other replica can acknowledge`);
    expect(semiSyncSuspension({ primary: observations[0], observations, quarantined: [], rebuilding: name(1) })).toBeUndefined();
  });
});
