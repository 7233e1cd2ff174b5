import { describe, expect, it } from '@jest/globals';
import { lookupPod, type PodLookup } from '../../../src/sandbox/runtime/pod-lookup.js';

const pods = [
  { namespace: 'default', name: 'shop-mysql-0' },
  { namespace: 'blog', name: 'blog-mysql-0' },
  { namespace: 'a', name: 'twin' },
  { namespace: 'b', name: 'twin' },
];

describe('lookupPod', () => {
  it.each<[string, string, string | undefined, PodLookup]>([
    ['the namespace given', 'shop-mysql-0', 'default', { namespace: 'default' }],
    ['the only namespace of that name, without -n', 'blog-mysql-0', undefined, { namespace: 'blog' }],
    ['a pod in another namespace than -n', 'blog-mysql-0', 'default', { error: 'pod blog-mysql-0 does not exist in namespace default; it runs in namespace blog: use -n blog' }],
    ['a pod in no namespace, with -n', 'nope', 'default', { error: 'pod nope does not exist in namespace default, nor in any other (kubectl get pods -A lists them)' }],
    ['a pod in no namespace, without -n', 'nope', undefined, { error: 'pod nope does not exist in this sandbox (kubectl get pods -A lists them)' }],
    ['a name in two namespaces, without -n', 'twin', undefined, { error: 'pod twin runs in namespaces a, b: say which with -n' }],
    ['a name in two namespaces, with -n', 'twin', 'b', { namespace: 'b' }],
  ])('%s', (_, name, namespace, expected) => {
    expect(lookupPod(pods, name, namespace)).toEqual(expected);
  });
});
