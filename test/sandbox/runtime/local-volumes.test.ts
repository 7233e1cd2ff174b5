import { describe, expect, it } from '@jest/globals';
import type { V1PersistentVolume, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { PROVISIONED_BY, PROVISIONER_NAME, claimsToProvision, provisionedVolume, volumesToReclaim } from '../../../src/sandbox/runtime/local-volumes.js';

const claim = (name: string, extra: Partial<V1PersistentVolumeClaim> = {}): V1PersistentVolumeClaim => ({
  metadata: { name, namespace: 'shop', uid: `uid-${name}` },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } },
  status: { phase: 'Pending' },
  ...extra,
});
const ours = (name: string, phase: string): V1PersistentVolume => ({ metadata: { name, annotations: { [PROVISIONED_BY]: PROVISIONER_NAME } }, status: { phase } });

describe('claimsToProvision', () => {
  it.each<[string, V1PersistentVolumeClaim, V1PersistentVolume[], boolean]>([
    ['a pending claim with no volume', claim('a'), [], true],
    ['a claim already bound to a volume', claim('a', { spec: { volumeName: 'pv-x' } }), [], false],
    ['a claim whose volume was made but is not bound yet', claim('a'), [{ metadata: { name: 'pvc-uid-a' } }], false],
    ['a claim being deleted', claim('a', { metadata: { name: 'a', uid: 'uid-a', deletionTimestamp: new Date() } }), [], false],
    ['a claim that is Lost', claim('a', { status: { phase: 'Lost' } }), [], false],
  ])('%s: %s', (_what, c, volumes, expected) => {
    expect(claimsToProvision([c], volumes).length > 0).toBe(expected);
  });
});

describe('volumesToReclaim', () => {
  it('takes our Released and Failed volumes, never a bound one or somebody else\'s', () => {
    const foreign: V1PersistentVolume = { metadata: { name: 'nfs' }, status: { phase: 'Released' } };
    const picked = volumesToReclaim([ours('r', 'Released'), ours('f', 'Failed'), ours('b', 'Bound'), ours('a', 'Available'), foreign]);
    expect(picked.map((v) => v.metadata?.name)).toEqual(['r', 'f']);
  });
});

describe('provisionedVolume', () => {
  it('is pre-bound to its claim, sized and classed like it, on this node only, deleted with it', () => {
    const pv = provisionedVolume(claim('data-db-0', { spec: { accessModes: ['ReadWriteOncePod'], storageClassName: 'fast', resources: { requests: { storage: '5Gi' } } } }), 'sandbox', '/state/volumes/shop/data-db-0');
    expect(pv.metadata?.name).toBe('pvc-uid-data-db-0');
    expect(pv.metadata?.annotations?.[PROVISIONED_BY]).toBe(PROVISIONER_NAME);
    expect(pv.spec).toMatchObject({
      capacity: { storage: '5Gi' }, accessModes: ['ReadWriteOncePod'], storageClassName: 'fast', persistentVolumeReclaimPolicy: 'Delete',
      hostPath: { path: '/state/volumes/shop/data-db-0' },
      claimRef: { namespace: 'shop', name: 'data-db-0', uid: 'uid-data-db-0' },
    });
    expect(pv.spec?.nodeAffinity?.required?.nodeSelectorTerms[0].matchExpressions?.[0]).toEqual({ key: 'kubernetes.io/hostname', operator: 'In', values: ['sandbox'] });
  });

  it('gives a claim without a class the empty class, which the binder matches against classless claims', () => {
    expect(provisionedVolume(claim('a'), 'sandbox', '/d').spec?.storageClassName).toBe('');
  });
});
