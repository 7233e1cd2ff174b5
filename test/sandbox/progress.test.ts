import { describe, expect, it } from '@jest/globals';
import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import { eventKey, eventLine, podWaitsFor, readyLine } from '../../src/sandbox/progress.js';

const pod = (status: V1Pod['status'], deleting = false): V1Pod => ({
  metadata: { name: 'p', ...(deleting ? { deletionTimestamp: new Date() } : {}) }, status,
});
const ready = { type: 'Ready', status: 'True' };
const notReady = { type: 'Ready', status: 'False' };

describe('podWaitsFor', () => {
  it.each<[string, V1Pod, string | undefined]>([
    ['a Ready pod', pod({ conditions: [ready] }), undefined],
    ['a pod going away', pod({ conditions: [notReady] }, true), undefined],
    ['a pod not started', pod({ phase: 'Pending' }), 'waiting to start'],
    ['an unschedulable pod', pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', message: '0/1 nodes are available' }] }), 'not scheduled: 0/1 nodes are available'],
    ['a container that cannot start', pod({ conditions: [notReady], containerStatuses: [
      { name: 'mysql', ready: false, restartCount: 0, image: 'i', imageID: '', state: { waiting: { reason: 'MysqldNotFound', message: 'use engine: mariadb' } } },
    ] }), 'mysql: MysqldNotFound (use engine: mariadb)'],
    ['a container running but not ready, after restarts', pod({ conditions: [notReady], containerStatuses: [
      { name: 'web', ready: true, restartCount: 0, image: 'i', imageID: '', state: { running: {} } },
      { name: 'haproxy', ready: false, restartCount: 2, image: 'i', imageID: '', state: { running: {} } },
    ] }), 'haproxy: running, readiness probe not passing yet, 2 restarts'],
    ['a container that exited', pod({ conditions: [notReady], containerStatuses: [
      { name: 'web', ready: false, restartCount: 1, image: 'i', imageID: '', state: { terminated: { exitCode: 3, reason: 'Error' } } },
    ] }), 'web: exited with code 3 (Error)'],
  ])('%s', (_, p, expected) => {
    expect(podWaitsFor(p)).toBe(expected);
  });
});

describe('readyLine', () => {
  it('says how Ready reads, or that the operator has not written it', () => {
    expect(readyLine(undefined)).toBe('waiting for the operator to report');
    expect(readyLine({ status: 'False', reason: 'RollingOut', message: 'database: 1/3 pods ready' })).toBe('Ready=False RollingOut: database: 1/3 pods ready');
  });
});

describe('eventLine and eventKey', () => {
  const failover: CoreV1Event = {
    metadata: { name: 'shop.1', uid: 'u1' }, involvedObject: { kind: 'WebStack', name: 'shop' }, type: 'Normal', reason: 'FailoverCompleted',
    message: 'shop-mysql-1 promoted in place of shop-mysql-0 in 1800 ms: primary unreachable', count: 1, lastTimestamp: new Date('2026-01-02T03:04:05Z'),
  };

  it('prints an Event about a WebStack with its time, stack, type and reason', () => {
    expect(eventLine(failover)).toBe('03:04:05 shop Normal FailoverCompleted: shop-mysql-1 promoted in place of shop-mysql-0 in 1800 ms: primary unreachable');
  });

  it('leaves out Events about other objects', () => {
    expect(eventLine({ ...failover, involvedObject: { kind: 'Pod', name: 'shop-mysql-0' } })).toBeUndefined();
  });

  it('tells a repeated Event from the first', () => {
    expect(eventKey(failover)).not.toBe(eventKey({ ...failover, count: 2 }));
  });
});
