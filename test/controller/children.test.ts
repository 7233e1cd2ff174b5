import { describe, expect, it } from '@jest/globals';
import { childrenToDelete, type LiveObject } from '../../src/controller/children.js';
import type { KubeObject } from '../../src/render/object.js';

const ref = (uid: string, controller = true) => ({ apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStack', name: 'shop', uid, controller });
const obj = (kind: string, name: string, extra: Partial<LiveObject['metadata']> = {}): LiveObject => ({
  apiVersion: kind === 'Deployment' ? 'apps/v1' : 'v1', kind,
  metadata: { name, namespace: 'ns', labels: { 'webstack.dev/stack': 'shop' }, ownerReferences: [ref('u1')], ...extra },
});
const want = (kind: string, name: string): KubeObject => ({ apiVersion: kind === 'Deployment' ? 'apps/v1' : 'v1', kind, metadata: { name, namespace: 'ns' } });

describe('childrenToDelete', () => {
  const desired = [want('Deployment', 'shop-web'), want('Service', 'shop-haproxy')];
  it.each([
    ['a desired object stays', obj('Deployment', 'shop-web'), false],
    ['a removed tier goes', obj('Deployment', 'shop-standby'), true],
    ['same name, other kind, not desired: goes', obj('Service', 'shop-web'), true],
    ['controlled by another WebStack of the same name (old uid): stays', obj('Deployment', 'shop-old', { ownerReferences: [ref('u0')] }), false],
    ['owned but not as controller: stays', obj('Deployment', 'shop-x', { ownerReferences: [ref('u1', false)] }), false],
    ['without our stack label: stays', obj('Deployment', 'shop-y', { labels: {} }), false],
    ['already terminating: not deleted again', obj('Deployment', 'shop-z', { deletionTimestamp: '2024-01-01T00:00:00Z' }), false],
  ])('%s', (_name, live, gone) => {
    expect(childrenToDelete(desired, [live], 'shop', 'u1').length).toBe(gone ? 1 : 0);
  });
});
