import { expect, test } from '@jest/globals';
import { resolveSpec } from '../../src/api/defaults.js';
import { managerSpec } from '../../src/mysql/manager-spec.js';

test('managerSpec maps the resolved database spec, defaults included', () => {
  const db = resolveSpec({ apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStack', metadata: { name: 'shop' },
    spec: { apps: [], database: { engine: 'mariadb', primary: 'shop-mysql-2', failover: { failureThresholdSeconds: 5 } } } }).database;
  expect(managerSpec(db)).toEqual({
    engine: 'mariadb', desiredPrimary: 'shop-mysql-2', failoverEnabled: true, failureThresholdSeconds: 5,
    replicationMode: 'semisync', semiSyncTimeoutSeconds: 31536000, replicas: 3,
  });
});

test('managerSpec holds failover and rebuilds while the stack is being restored, and never enables a disabled one', () => {
  const db = resolveSpec({ apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStack', metadata: { name: 'copy' }, spec: { apps: [] } }).database;
  expect(managerSpec(db, true)).toMatchObject({ failoverEnabled: false, restoring: true });
  expect(managerSpec(db, false).failoverEnabled).toBe(true);
  expect(managerSpec(db, false).restoring).toBeUndefined();
  expect(managerSpec({ ...db, failover: { ...db.failover, enabled: false } }, false).failoverEnabled).toBe(false);
});

test('managerSpec carries the fenced instances, and leaves the field out when none is', () => {
  const db = resolveSpec({ apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStack', metadata: { name: 'shop' }, spec: { apps: [] } }).database;
  expect(managerSpec(db, false, ['shop-mysql-1']).fenced).toEqual(['shop-mysql-1']);
  expect('fenced' in managerSpec(db, false, [])).toBe(false);
});
