import { describe, expect, it } from '@jest/globals';
import type { KubernetesObject } from '@kubernetes/client-node';
import { LabelIndex } from '../../src/kube/label-index.js';

const pod = (namespace: string, name: string, stack?: string, rv = '1'): KubernetesObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, resourceVersion: rv, labels: stack ? { 'webstack.dev/stack': stack } : {} },
});
const names = (objs: KubernetesObject[]) => objs.map((o) => o.metadata?.name).sort();

describe('LabelIndex', () => {
  it('finds the objects of a namespace whose label has a value', () => {
    const idx = new LabelIndex('webstack.dev/stack');
    idx.set(pod('a', 'shop-mysql-0', 'shop'));
    idx.set(pod('a', 'shop-mysql-1', 'shop'));
    idx.set(pod('b', 'shop-mysql-0', 'shop'));
    idx.set(pod('a', 'blog-mysql-0', 'blog'));
    idx.set(pod('a', 'unlabelled'));
    expect(names(idx.get('a', 'shop'))).toEqual(['shop-mysql-0', 'shop-mysql-1']);
    expect(names(idx.get('b', 'shop'))).toEqual(['shop-mysql-0']);
    expect(idx.get('c', 'shop')).toEqual([]);
  });

  it('an update replaces the object and follows a changed label; a delete removes it', () => {
    const idx = new LabelIndex('webstack.dev/stack');
    idx.set(pod('a', 'p', 'shop'));
    const newer = pod('a', 'p', 'shop', '2');
    idx.set(newer);
    expect(idx.get('a', 'shop')).toEqual([newer]);
    const moved = pod('a', 'p', 'blog', '3');
    idx.set(moved);
    expect(idx.get('a', 'shop')).toEqual([]);
    expect(idx.get('a', 'blog')).toEqual([moved]);
    idx.set(pod('a', 'p'));
    expect(idx.get('a', 'blog')).toEqual([]);
    idx.set(moved);
    idx.delete(pod('a', 'p', 'blog', '4'));
    expect(idx.get('a', 'blog')).toEqual([]);
  });
});
