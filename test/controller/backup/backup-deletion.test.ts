/** The backup data finalizer's patches: added once, removed keeping anyone else's, guarded by the resourceVersion. */
import { describe, expect, it } from '@jest/globals';
import { BACKUP_DATA_FINALIZER, type WebStackBackup } from '../../../src/api/backup-types.js';
import { deletingWithData, finalizerAdded, finalizerRemoved } from '../../../src/controller/backup/backup-deletion.js';

const backup = (metadata: Partial<WebStackBackup['metadata']>): WebStackBackup => ({
  apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStackBackup', metadata: { name: 'shop-1', namespace: 'shop', resourceVersion: '7', ...metadata }, spec: { stack: 'shop' },
});

describe('the backup data finalizer', () => {
  it('is added to a backup without it, beside anyone else\'s', () => {
    expect(finalizerAdded(backup({ finalizers: ['example.com/keep'] }))).toEqual({ metadata: { finalizers: ['example.com/keep', BACKUP_DATA_FINALIZER], resourceVersion: '7' } });
  });

  it('is not added twice, nor to a backup being deleted', () => {
    expect(finalizerAdded(backup({ finalizers: [BACKUP_DATA_FINALIZER] }))).toBeUndefined();
    expect(finalizerAdded(backup({ deletionTimestamp: '2026-12-04T10:00:00Z' }))).toBeUndefined();
  });

  it('is removed keeping anyone else\'s', () => {
    expect(finalizerRemoved(backup({ finalizers: [BACKUP_DATA_FINALIZER, 'example.com/keep'] }))).toEqual({ metadata: { finalizers: ['example.com/keep'], resourceVersion: '7' } });
  });

  it('makes a deleted backup one whose data must go', () => {
    expect(deletingWithData(backup({ deletionTimestamp: '2026-12-04T10:00:00Z', finalizers: [BACKUP_DATA_FINALIZER] }))).toBe(true);
    expect(deletingWithData(backup({ deletionTimestamp: '2026-12-04T10:00:00Z', finalizers: ['example.com/keep'] }))).toBe(false);
    expect(deletingWithData(backup({ finalizers: [BACKUP_DATA_FINALIZER] }))).toBe(false);
  });
});
