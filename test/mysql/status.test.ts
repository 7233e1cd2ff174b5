import { describe, expect, test } from '@jest/globals';
import { databaseConditions, instanceStatuses } from '../../src/mysql/status.js';
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
  test('a replica that lost its source is not ready', () => {
    const [, r] = instanceStatuses([primary(0), replica(1, 0, '0-100-10', { io: 'Connecting' })], record);
    expect(r.ready).toBe(false);
  });
});

describe('conditions', () => {
  test.each([
    ['healthy', [primary(0), replica(1, 0), replica(2, 0)], undefined, { DatabaseDegraded: 'False', SemiSyncDegraded: 'False', FailoverBlocked: 'False' }],
    ['primary down', [down(0), replica(1, 0), replica(2, 0)], undefined, { DatabaseDegraded: 'True:PrimaryUnavailable' }],
    ['a replica down', [primary(0), replica(1, 0), down(2)], undefined, { DatabaseDegraded: 'True:InstanceNotReady' }],
    ['no replica acknowledges', [up(0, { writable: true, semiSource: true, clients: 0 }), replica(1, 0)], undefined, { SemiSyncDegraded: 'True:NoReplicaAcknowledging' }],
    ['failover blocked', [down(0), replica(1, 0)], { kind: 'none' as const, reason: 'x', blocked: { reason: 'TooFewHealthyReplicas', message: 'm' } },
      { FailoverBlocked: 'True:TooFewHealthyReplicas' }],
  ])('%s', (_t, observations, action, expected) => {
    const conds = databaseConditions(observations, record, spec, action);
    for (const [type, want] of Object.entries(expected)) {
      const c = conds.find((x) => x.type === type)!;
      expect(want.includes(':') ? `${c.status}:${c.reason}` : c.status).toBe(want);
    }
  });
});
