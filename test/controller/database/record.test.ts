/** The manager's record in status.database: read back, patched, removed. */
import { describe, expect, it } from '@jest/globals';
import { applyPatch, clusterStateFromStatus, statusPatchFor } from '../../../src/controller/database/record.js';

const lastFailover = { kind: 'failover' as const, from: 'shop-mysql-0', to: 'shop-mysql-1', reason: 'primary unreachable', startedAt: '2026-11-25T10:00:00Z', durationMs: 900 };

describe('clusterStateFromStatus', () => {
  it('is empty for a stack never bootstrapped', () => {
    expect(clusterStateFromStatus(undefined)).toEqual({});
  });
  it('keeps the record fields and leaves observations (instances) out', () => {
    const failoverInProgress = { kind: 'failover' as const, from: 'a', to: 'b', reason: 'r', startedAt: '2026-11-25T10:00:00Z' };
    expect(clusterStateFromStatus({
      primary: 'shop-mysql-1', bootstrapped: true, quarantined: ['shop-mysql-0'], failoverInProgress, lastFailover,
      instances: [{ name: 'shop-mysql-1', role: 'primary', ready: true }],
    })).toEqual({ primary: 'shop-mysql-1', bootstrapped: true, quarantined: ['shop-mysql-0'], failoverInProgress, lastFailover });
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
