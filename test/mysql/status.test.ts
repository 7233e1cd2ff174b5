import { describe, expect, test } from '@jest/globals';
import { databaseConditions, databaseReady, instanceStatuses, reportDue } from '../../src/mysql/status.js';
import { down, name, primary, replica, spec, up } from './fixtures.js';

const record = { primary: name(0), bootstrapped: true };

describe('instance statuses', () => {
  test('roles, readiness, lag, position and errant transactions', () => {
    const statuses = instanceStatuses([primary(0), replica(1, 0, '0-100-10'), replica(2, 0, '0-100-10,0-102-1'), down(3)],
      { ...record, quarantined: [name(2)] });
    expect(statuses).toEqual([
      { name: name(0), role: 'primary', ready: true, gtidExecuted: '0-100-10', lagSeconds: undefined, errantGtids: undefined, message: undefined },
      { name: name(1), role: 'replica', ready: true, gtidExecuted: '0-100-10', lagSeconds: 0, errantGtids: undefined, message: undefined },
      { name: name(2), role: 'quarantined', ready: false, gtidExecuted: '0-100-10,0-102-1', lagSeconds: 0, errantGtids: '0-102-1', message: undefined },
      { name: name(3), role: 'unknown', ready: false, message: `${name(3)}: refused` },
    ]);
  });
  test('a fenced replica is out of service: role fenced, not ready', () => {
    const [, r] = instanceStatuses([primary(0), replica(1, 0, '0-100-10')], record, [name(1)]);
    expect(r).toMatchObject({ role: 'fenced', ready: false });
  });
  test('a replica that lost its source is not ready', () => {
    const [, r] = instanceStatuses([primary(0), replica(1, 0, '0-100-10', { io: 'Connecting' })], record);
    expect(r.ready).toBe(false);
  });
});

describe('conditions', () => {
  test.each([
    ['only fenced instances out of service', [primary(0), replica(1, 0), replica(2, 0)], 'InstanceFenced', `${name(2)}: fenced (kubectl webstack unfence ${name(2)})`],
    ['a fenced instance and one down', [primary(0), down(1), replica(2, 0)], 'InstanceNotReady', `${name(1)}: ${name(1)}: refused; ${name(2)}: fenced (kubectl webstack unfence ${name(2)})`],
  ])('degraded: %s', (_t, observations, reason, message) => {
    const degraded = databaseConditions(observations, record, { ...spec, fenced: [name(2)] }, undefined).find((c) => c.type === 'DatabaseDegraded');
    expect(degraded).toEqual({ type: 'DatabaseDegraded', status: 'True', reason, message });
  });

  test.each([
    ['healthy', [primary(0), replica(1, 0), replica(2, 0)], undefined,
      { DatabaseReady: 'True:PrimaryWritable', DatabaseDegraded: 'False', SemiSyncDegraded: 'False', FailoverBlocked: 'False' }],
    ['primary down', [down(0), replica(1, 0), replica(2, 0)], undefined, { DatabaseReady: 'False:PrimaryUnavailable', DatabaseDegraded: 'True:PrimaryUnavailable' }],
    ['a replica down', [primary(0), replica(1, 0), down(2)], undefined, { DatabaseDegraded: 'True:InstanceNotReady' }],
    ['no replica acknowledges', [up(0, { writable: true, semiSource: true, clients: 0 }), replica(1, 0)], undefined, { SemiSyncDegraded: 'True:NoReplicaAcknowledging' }],
    ['failover blocked', [down(0), replica(1, 0)], { kind: 'none' as const, reason: 'x', blocked: { reason: 'TooFewHealthyReplicas', message: 'm' } },
      { FailoverBlocked: 'True:TooFewHealthyReplicas' }],
    ['primary unreachable from the operator only', [down(0, 'timeout'), replica(1, 0), replica(2, 0)],
      { kind: 'none' as const, reason: 'x', blocked: { reason: 'PrimaryUnreachableFromOperator', message: 'm' } },
      { DatabaseReady: 'False:PrimaryUnreachableFromOperator', DatabaseDegraded: 'True:PrimaryUnreachableFromOperator', FailoverBlocked: 'True:PrimaryUnreachableFromOperator' }],
  ])('%s', (_t, observations, action, expected) => {
    const conds = databaseConditions(observations, record, spec, action);
    for (const [type, want] of Object.entries(expected)) {
      const c = conds.find((x) => x.type === type)!;
      expect(want.includes(':') ? `${c.status}:${c.reason}` : c.status).toBe(want);
    }
  });
});

test('SemiSyncDegraded says writes no longer wait while the primary\'s semi-sync wait is off (suspended for a roll or rebuild)', () => {
  const conds = databaseConditions([up(0, { writable: true, semiSource: false, semiReplica: false }), replica(1, 0)], record, spec, undefined);
  expect(conds.find((c) => c.type === 'SemiSyncDegraded')).toMatchObject({ status: 'True', reason: 'NoReplicaAcknowledging',
    message: 'primary shop-mysql-0: semi-sync wait off; writes commit without a replica\'s acknowledgement (a failover now could lose the last ones)' });
});

describe('DatabaseDegraded while rebuilding', () => {
  const purged = { io: 'No' as const, ioError: { errno: 1236, message: 'Got fatal error 1236' } };
  const degraded = (rec: object, observations = [primary(0), replica(1, 0), replica(2, 0, '', purged)]) =>
    databaseConditions(observations, { ...record, ...rec }, spec, undefined).find((c) => c.type === 'DatabaseDegraded')!;
  const rebuild = { instance: name(2), donor: name(1), reason: 'r', startedAt: '2026-12-04T12:00:00Z' };

  test.each([
    ['being rebuilt', { rebuild }, 'InstanceRebuilding', 'shop-mysql-2: being rebuilt from shop-mysql-1'],
    ['its last rebuild failed', { rebuildAttempts: [{ instance: name(2), count: 2, lastStartedAt: 't', lastError: 'copy failed' }] },
      'RebuildFailed', 'shop-mysql-2: its rebuild failed: copy failed'],
    ['a completed rebuild says nothing', { rebuildAttempts: [{ instance: name(2), count: 1, lastStartedAt: 't' }] },
      'InstanceNotReady', 'shop-mysql-2: Got fatal error 1236'],
  ])('%s', (_t, rec, reason, message) => {
    expect(degraded(rec)).toEqual({ type: 'DatabaseDegraded', status: 'True', reason, message });
  });

  test('a quarantined instance being rebuilt is said to be rebuilt', () => {
    const c = degraded({ quarantined: [name(2)], rebuild }, [primary(0), replica(1, 0), replica(2, 0, '0-100-10,0-102-1')]);
    expect(c).toMatchObject({ reason: 'InstanceRebuilding', message: 'shop-mysql-2: being rebuilt from shop-mysql-1' });
  });
});

describe('DatabaseReady', () => {
  const statuses = [
    { name: name(0), role: 'primary' as const, ready: true },
    { name: name(1), role: 'replica' as const, ready: true },
    { name: name(2), role: 'replica' as const, ready: false, message: 'IO thread stopped' },
  ];
  test.each([
    ['waiting for a primary', {}, statuses, 'False', 'Bootstrapping', 'waiting for the instances to choose a primary'],
    ['setting up the recorded primary', { primary: name(0) }, statuses, 'False', 'Bootstrapping', `setting up ${name(0)} as the primary`],
    ['a writable primary, counting the replicas that replicate', record, statuses, 'True', 'PrimaryWritable', `${name(0)} is the primary; 1/2 replicas replicating`],
    ['a primary that takes no writes', record, [{ ...statuses[0], ready: false, message: 'connection refused' }, ...statuses.slice(1)],
      'False', 'PrimaryUnavailable', `primary ${name(0)} is not accepting writes: connection refused`],
  ])('%s', (_t, rec, st, status, reason, message) => {
    expect(databaseReady(rec, st)).toEqual({ type: 'DatabaseReady', status, reason, message });
  });
});

describe('reportDue', () => {
  const report = { instances: [{ name: name(0), role: 'primary' as const, ready: true, gtidExecuted: '0-100-1' }],
    conditions: [{ type: 'DatabaseReady' as const, status: 'True' as const, reason: 'PrimaryWritable', message: '' }] };
  const moved = { ...report, instances: [{ ...report.instances[0], gtidExecuted: '0-100-9', lagSeconds: 3 }] };
  test('the first report, and any change of role, readiness or condition, at once', () => {
    expect(reportDue(undefined, report, 0, 10_000)).toBe(true);
    expect(reportDue({ report, at: 0 }, { ...report, instances: [{ ...report.instances[0], ready: false }] }, 1, 10_000)).toBe(true);
    expect(reportDue({ report, at: 0 }, { ...report, conditions: [{ ...report.conditions[0], status: 'False' }] }, 1, 10_000)).toBe(true);
  });
  test('positions and lag alone at most every positionsEveryMs, and nothing when nothing changed', () => {
    expect(reportDue({ report, at: 0 }, moved, 9_999, 10_000)).toBe(false);
    expect(reportDue({ report, at: 0 }, moved, 10_000, 10_000)).toBe(true);
    expect(reportDue({ report, at: 0 }, report, 50_000, 10_000)).toBe(false);
  });
});
