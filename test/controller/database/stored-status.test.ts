/** The manager's part of the status: its record read back, patched, removed; its report merged into the stored status. */
import { describe, expect, it } from '@jest/globals';
import type { WebStack } from '../../../src/api/types.js';
import { applyPatch, clusterStateFromStatus, reportPatch, statusPatchFor } from '../../../src/controller/database/stored-status.js';

const lastFailover = { kind: 'failover' as const, from: 'shop-mysql-0', to: 'shop-mysql-1', reason: 'primary unreachable', startedAt: '2026-11-25T10:00:00Z', durationMs: 900 };

describe('clusterStateFromStatus', () => {
  it('is empty for a stack never bootstrapped', () => {
    expect(clusterStateFromStatus(undefined)).toEqual({});
  });
  it('keeps the record fields and leaves observations (instances) out', () => {
    const failoverInProgress = { kind: 'failover' as const, from: 'a', to: 'b', reason: 'r', startedAt: '2026-11-25T10:00:00Z' };
    const rebuild = { instance: 'shop-mysql-2', donor: 'shop-mysql-1', reason: 'binlogs purged', startedAt: '2026-11-25T11:00:00Z' };
    const rebuildAttempts = [{ instance: 'shop-mysql-2', count: 2, lastStartedAt: '2026-11-25T11:00:00Z', lastError: 'copy failed' }];
    const errantTransactionsSaved = [{ instance: 'shop-mysql-0', gtids: '0-100-91', configMap: 'shop-errant-shop-mysql-0-1', savedAt: '2026-11-25T10:59:00Z' }];
    expect(clusterStateFromStatus({
      primary: 'shop-mysql-1', bootstrapped: true, exporterAccount: true, quarantined: ['shop-mysql-0'], failoverInProgress, lastFailover, rebuild, rebuildAttempts,
      errantTransactionsSaved, instances: [{ name: 'shop-mysql-1', role: 'primary', ready: true }],
    })).toEqual({ primary: 'shop-mysql-1', bootstrapped: true, exporterAccount: true, quarantined: ['shop-mysql-0'], failoverInProgress, lastFailover, rebuild,
      rebuildAttempts, errantTransactionsSaved });
  });
  it('reads a lastFailover written without a kind as a failover', () => {
    const { kind: _kind, ...old } = lastFailover;
    expect(clusterStateFromStatus({ lastFailover: old }).lastFailover?.kind).toBe('failover');
  });
});

describe('statusPatchFor and applyPatch', () => {
  it('sets keys and removes those patched to null, in the merge patch and in memory alike', () => {
    const patch = { primary: 'shop-mysql-2', failoverInProgress: null, lastFailover };
    expect(statusPatchFor(patch)).toEqual({ status: { database: { primary: 'shop-mysql-2', failoverInProgress: null, lastFailover } } });
    const before = { primary: 'shop-mysql-1', bootstrapped: true, failoverInProgress: { kind: 'failover' as const, from: 'x', to: 'y', reason: 'r', startedAt: 't' } };
    expect(applyPatch(before, patch)).toEqual({ primary: 'shop-mysql-2', bootstrapped: true, lastFailover });
    expect(before.primary).toBe('shop-mysql-1');
  });
});

describe('reportPatch', () => {
  const T = '2026-12-01T10:00:00Z';
  const report = {
    instances: [{ name: 'shop-mysql-0', role: 'primary' as const, ready: true }],
    conditions: [{ type: 'DatabaseReady' as const, status: 'True' as const, reason: 'PrimaryWritable', message: 'ok' }],
  };
  const ws = (status: WebStack['status']): WebStack => ({ apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStack',
    metadata: { name: 'shop', namespace: 'shop', generation: 3 }, spec: { apps: [] }, status });

  it('puts its conditions in place, keeps the reconcile\'s where they are, and stamps generation and time', () => {
    const ready = { type: 'Ready', status: 'True' as const, reason: 'Available', message: '', lastTransitionTime: 'earlier', observedGeneration: 3 };
    const patch = reportPatch(ws({ conditions: [ready], database: { primary: 'shop-mysql-0' } }), report, T);
    expect(patch).toEqual({ database: { instances: report.instances }, conditions: [ready,
      { type: 'DatabaseReady', status: 'True', reason: 'PrimaryWritable', message: 'ok', lastTransitionTime: T, observedGeneration: 3 }] });
  });

  it('is nothing when the stored status already says it all', () => {
    const stored = reportPatch(ws({}), report, T)!;
    expect(reportPatch(ws({ ...stored, database: { ...stored.database, primary: 'shop-mysql-0' } }), report, '2026-12-01T11:00:00Z')).toBeUndefined();
  });
});
