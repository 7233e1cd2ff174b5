import { describe, expect, it } from '@jest/globals';
import { ANNOTATION_ENGINE } from '../../src/api/labels.js';
import type { WebStack } from '../../src/api/types.js';
import { immutableFieldErrors, type LiveStatefulSet } from '../../src/controller/immutable.js';

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
