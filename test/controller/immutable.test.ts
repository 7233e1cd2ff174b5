import { describe, expect, it } from '@jest/globals';
import { ANNOTATION_ENGINE } from '../../src/api/labels.js';
import type { WebStack } from '../../src/api/types.js';
import { backupClaimErrors, immutableFieldErrors, type LiveClaim, type LiveStatefulSet } from '../../src/controller/immutable.js';

const ws = (size: string, engine: 'mariadb' | 'mysql' = 'mariadb'): WebStack => ({
  apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStack', metadata: { name: 'shop', namespace: 'ns' },
  spec: { apps: [{ name: 'web', image: 'x' }], database: { engine, storage: { size } } },
});
const running = (storage: string): LiveStatefulSet => ({
  metadata: { annotations: { [ANNOTATION_ENGINE]: 'mariadb' } },
  spec: { volumeClaimTemplates: [{ spec: { resources: { requests: { storage } } } }] },
});

describe('immutableFieldErrors', () => {
  it('takes a size the server stored in canonical form as the same size', () => {
    expect(immutableFieldErrors(ws('1024Mi'), running('1Gi'))).toEqual([]);
    expect(immutableFieldErrors(ws('1Gi'), running('1Gi'))).toEqual([]);
  });

  it('names a changed size and a changed engine', () => {
    expect(immutableFieldErrors(ws('2Gi'), running('1Gi')).map((e) => e.field)).toEqual(['spec.database.storage.size']);
    expect(immutableFieldErrors(ws('1Gi', 'mysql'), running('1Gi')).map((e) => e.field)).toEqual(['spec.database.engine']);
  });

  it('has nothing to compare before the StatefulSet exists', () => {
    expect(immutableFieldErrors(ws('1Gi', 'mysql'), undefined)).toEqual([]);
  });
});

describe('backupClaimErrors', () => {
  const withVolume = (volume: object | undefined): WebStack => ({
    apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStack', metadata: { name: 'shop', namespace: 'shop' },
    spec: { apps: [{ name: 'web', image: 'x' }], database: { engine: 'mariadb', backup: volume === undefined ? {} : { storage: { volume } } } },
  });
  const claim = (storage: string, storageClassName?: string): LiveClaim => ({ spec: { resources: { requests: { storage } }, ...(storageClassName ? { storageClassName } : {}) } });
  const SHRINK = 'spec.database.backup.storage.volume.size';
  const CLASS = 'spec.database.backup.storage.volume.storageClassName';

  it.each<[string, WebStack, LiveClaim | undefined, string[]]>([
    ['no claim yet', withVolume({ size: '1Gi' }), undefined, []],
    ['the same size, spelled otherwise', withVolume({ size: '1024Mi' }), claim('1Gi'), []],
    ['a larger size (expansion)', withVolume({ size: '20Gi' }), claim('10Gi'), []],
    ['the default size over a claim grown by hand', withVolume(undefined), claim('50Gi'), [SHRINK]],
    ['a smaller size', withVolume({ size: '5Gi' }), claim('10Gi', 'standard'), [SHRINK]],
    ['no class in the spec over the cluster default', withVolume({ size: '10Gi' }), claim('10Gi', 'standard'), []],
    ['another class', withVolume({ size: '10Gi', storageClassName: 'fast' }), claim('10Gi', 'standard'), [CLASS]],
    ['backups moved to S3: the kept claim is no longer checked', { ...withVolume(undefined), spec: { apps: [], database: { backup: { storage: { s3: { bucket: 'b', credentialsSecret: 's' } } } } } }, claim('50Gi'), []],
  ])('%s', (_what, ws, live, fields) => {
    const errors = backupClaimErrors(ws, live);
    expect(errors.map((e) => e.field)).toEqual(fields);
    if (fields[0] === SHRINK) expect(errors[0].message).toMatch(/^cannot shrink: the backup volume's claim has \d+Gi, the spec asks for /);
  });
});
