/** What the database manager's stored conditions make of Ready and Degraded. */
import { describe, expect, it } from '@jest/globals';
import type { Condition, WebStackStatus } from '../../src/api/types.js';
import { databaseVerdict } from '../../src/controller/database-verdict.js';

const T = '2026-01-01T00:00:00Z';
const c = (type: string, status: 'True' | 'False', reason: string, message = ''): Condition => ({ type, status, reason, message, lastTransitionTime: T });
const healthy = [c('DatabaseReady', 'True', 'PrimaryWritable', 'shop-mysql-0 is the primary'), c('DatabaseDegraded', 'False', 'AllInstancesReady'),
  c('SemiSyncDegraded', 'False', 'ReplicaAcknowledging'), c('FailoverBlocked', 'False', 'NotBlocked')];
const stored = (conditions: Condition[], bootstrapped = true): WebStackStatus => ({ database: { bootstrapped }, conditions });

describe('databaseVerdict', () => {
  it.each([
    ['nothing reported yet: Ready waits', undefined, { notReady: { reason: 'DatabaseNotProbedYet', message: 'the database instances have not been probed yet' } }],
    ['healthy: nothing to say', stored(healthy), {}],
    ['bootstrapping: Ready waits, "no primary yet" is no impairment',
      stored([c('DatabaseReady', 'False', 'Bootstrapping', 'waiting'), c('DatabaseDegraded', 'True', 'PrimaryUnavailable', 'no primary yet')], false),
      { notReady: { reason: 'DatabaseBootstrapping', message: 'waiting' } }],
    ['primary down: Ready waits and Degraded says why',
      stored([c('DatabaseReady', 'False', 'PrimaryUnavailable', 'not accepting writes'), c('DatabaseDegraded', 'True', 'PrimaryUnavailable', 'unreachable')]),
      { notReady: { reason: 'DatabasePrimaryUnavailable', message: 'not accepting writes' }, degraded: { reason: 'PrimaryUnavailable', message: 'unreachable' } }],
    ['no replica acknowledging: Ready, but degraded',
      stored([...healthy.slice(0, 2), c('SemiSyncDegraded', 'True', 'NoReplicaAcknowledging', 'writes wait'), healthy[3]]),
      { degraded: { reason: 'NoReplicaAcknowledging', message: 'writes wait' } }],
    ['failover blocked: degraded', stored([...healthy.slice(0, 3), c('FailoverBlocked', 'True', 'TooFewHealthyReplicas', 'needs 2')]),
      { degraded: { reason: 'TooFewHealthyReplicas', message: 'needs 2' } }],
  ])('%s', (_t, status, want) => {
    expect(databaseVerdict(status)).toEqual(want);
  });
});
