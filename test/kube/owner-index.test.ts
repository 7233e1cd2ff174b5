import { describe, expect, it } from '@jest/globals';
import type { KubernetesObject } from '@kubernetes/client-node';
import { OwnerIndex } from '../../src/kube/owner-index.js';

const child = (kind: string, name: string, owner?: string, controller = true): KubernetesObject => ({
  apiVersion: 'v1', kind,
  metadata: { name, namespace: 'ns', ownerReferences: owner ? [{ apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStack', name: 'w', uid: owner, controller }] : [] },
});
const names = (objs: KubernetesObject[]) => objs.map((o) => `${o.kind}/${o.metadata?.name}`).sort();

describe('OwnerIndex', () => {
  it('finds the objects a uid controls, by kind and name', () => {
    const idx = new OwnerIndex();
    idx.set(child('Service', 'a', 'u1'));
    idx.set(child('Deployment', 'a', 'u1'));
    idx.set(child('Service', 'b', 'u2'));
    idx.set(child('Service', 'c'));
    idx.set(child('Service', 'd', 'u1', false));
    expect(names(idx.owned('u1'))).toEqual(['Deployment/a', 'Service/a']);
    expect(names(idx.owned('u2'))).toEqual(['Service/b']);
    expect(idx.owned('none')).toEqual([]);
  });
  it('an update replaces the object and follows a changed controller; a delete removes it', () => {
    const idx = new OwnerIndex();
    idx.set(child('Service', 'a', 'u1'));
    const moved = child('Service', 'a', 'u2');
    idx.set(moved);
    expect(idx.owned('u1')).toEqual([]);
    expect(idx.owned('u2')).toEqual([moved]);
    idx.set(child('Service', 'a'));
    expect(idx.owned('u2')).toEqual([]);
    idx.set(moved);
    idx.delete(child('Service', 'a'));
    expect(idx.owned('u2')).toEqual([]);
  });
});
