/** What the database manager's observations make of the WebStack's conditions. */
import { describe, expect, it } from '@jest/globals';
import { databaseContribution, instancesShape } from '../../../src/controller/database/contribution.js';
import type { ObservedDatabaseStatus } from '../../../src/mysql/status.js';

const healthy: ObservedDatabaseStatus = {
  primary: 'shop-mysql-0', bootstrapped: true,
  instances: [
    { name: 'shop-mysql-0', role: 'primary', ready: true },
    { name: 'shop-mysql-1', role: 'replica', ready: true, lagSeconds: 0 },
    { name: 'shop-mysql-2', role: 'replica', ready: false, message: 'IO thread stopped' },
  ],
  conditions: [
    { type: 'DatabaseDegraded', status: 'False', reason: 'AllInstancesReady', message: '' },
    { type: 'SemiSyncDegraded', status: 'False', reason: 'ReplicaAcknowledging', message: '' },
    { type: 'FailoverBlocked', status: 'False', reason: 'NotBlocked', message: '' },
  ],
  lastDecision: { kind: 'none', reason: 'healthy' },
};

describe('databaseContribution', () => {
  it('holds Ready back until the first probe', () => {
    expect(databaseContribution(undefined)).toEqual(expect.objectContaining({ notReady: expect.objectContaining({ reason: 'DatabaseNotProbedYet' }) }));
  });

  it('holds Ready back while bootstrapping, without calling "no primary yet" an impairment', () => {
    const c = databaseContribution({ ...healthy, bootstrapped: false, primary: undefined,
      conditions: [{ type: 'DatabaseDegraded', status: 'True', reason: 'PrimaryUnavailable', message: 'no primary yet' }] });
    expect(c.notReady?.reason).toBe('DatabaseBootstrapping');
    expect(c.degraded).toBeUndefined();
  });

  it('is Ready with a writable primary, and counts the replicas that replicate', () => {
    const c = databaseContribution(healthy);
    expect(c.notReady).toBeUndefined();
    expect(c.degraded).toBeUndefined();
    expect(c.conditions![0]).toEqual({ type: 'DatabaseReady', status: 'True', reason: 'PrimaryWritable', message: 'shop-mysql-0 is the primary; 1/2 replicas replicating' });
    expect(c.conditions!.map((x) => x.type)).toEqual(['DatabaseReady', 'DatabaseDegraded', 'SemiSyncDegraded', 'FailoverBlocked']);
  });

  it('holds Ready back and reports degraded while the primary is down', () => {
    const c = databaseContribution({
      ...healthy,
      instances: [{ name: 'shop-mysql-0', role: 'primary', ready: false, message: 'connection refused' }, ...healthy.instances.slice(1)],
      conditions: [{ type: 'DatabaseDegraded', status: 'True', reason: 'PrimaryUnavailable', message: 'primary shop-mysql-0 is unreachable' }],
    });
    expect(c.notReady).toEqual({ reason: 'DatabasePrimaryUnavailable', message: 'primary shop-mysql-0 is not accepting writes: connection refused' });
    expect(c.degraded).toEqual({ reason: 'PrimaryUnavailable', message: 'primary shop-mysql-0 is unreachable' });
  });

  it('reports a semi-sync cluster with no acknowledging replica as degraded but Ready', () => {
    const c = databaseContribution({ ...healthy, conditions: [
      { type: 'DatabaseDegraded', status: 'False', reason: 'AllInstancesReady', message: '' },
      { type: 'SemiSyncDegraded', status: 'True', reason: 'NoReplicaAcknowledging', message: 'writes wait' },
    ] });
    expect(c.notReady).toBeUndefined();
    expect(c.degraded).toEqual({ reason: 'NoReplicaAcknowledging', message: 'writes wait' });
  });
});

describe('instancesShape', () => {
  it('ignores lag and GTID positions, which change with every write', () => {
    const moved = healthy.instances.map((i) => ({ ...i, lagSeconds: 5, gtidExecuted: '0-100-42' }));
    expect(instancesShape(moved)).toBe(instancesShape(healthy.instances));
    expect(instancesShape([{ ...healthy.instances[0], ready: false }, ...healthy.instances.slice(1)])).not.toBe(instancesShape(healthy.instances));
  });
});
