import { describe, expect, it } from '@jest/globals';
import type { WebStack } from '../../src/api/types.js';
import { fenceChange, stackOfPod } from '../../src/plugin/fence.js';

function stack(fenced?: string, replicas = 3): WebStack {
  return {
    apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStack',
    metadata: { name: 'shop', namespace: 'prod', ...(fenced === undefined ? {} : { annotations: { 'webstack.dev/fenced-instances': fenced } }) },
    spec: { apps: [], database: { replicas } }, status: { database: { primary: 'shop-mysql-0' } },
  };
}

describe('fenceChange', () => {
  it('is a no-op, saying so, for a pod already fenced or not fenced', () => {
    expect(fenceChange(stack('shop-mysql-2'), 'shop-mysql-2', true)).toEqual({ change: false, message: 'webstack prod/shop: shop-mysql-2 is already fenced; nothing to do' });
    expect(fenceChange(stack(), 'shop-mysql-2', false)).toEqual({ change: false, message: 'webstack prod/shop: shop-mysql-2 is not fenced; nothing to do' });
  });

  it('adds and removes the pod, dropping the annotation with the last one', () => {
    expect(fenceChange(stack('shop-mysql-2'), 'shop-mysql-1', true)).toMatchObject({ change: true, value: 'shop-mysql-1,shop-mysql-2' });
    expect(fenceChange(stack('shop-mysql-2'), 'shop-mysql-2', false)).toMatchObject({ change: true, value: null });
  });

  it('says when the pod is the primary, and refuses to fence the last unfenced instance', () => {
    expect(fenceChange(stack(), 'shop-mysql-0', true)).toMatchObject({ message: expect.stringContaining('It is the primary') });
    expect(fenceChange(stack(undefined, 1), 'shop-mysql-0', true)).toEqual(new Error('shop-mysql-0: fencing it would leave no unfenced database instance of prod/shop to be the primary'));
  });
});

describe('stackOfPod', () => {
  it('reads the stack of a database pod, refuses any other pod', () => {
    expect(stackOfPod({ metadata: { labels: { 'webstack.dev/stack': 'shop', 'app.kubernetes.io/component': 'database' } } }, 'shop-mysql-0')).toBe('shop');
    expect(stackOfPod({ metadata: { labels: { 'webstack.dev/stack': 'shop', 'app.kubernetes.io/component': 'app' } } }, 'shop-web-x')).toBeInstanceOf(Error);
    expect(stackOfPod({}, 'x')).toBeInstanceOf(Error);
  });
});
