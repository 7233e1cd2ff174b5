import { describe, expect, it } from '@jest/globals';
import { planGarbageCollection, type StoredRef } from '../../../src/sandbox/apiserver/gc.js';
import type { KubeObject, OwnerReference } from '../../../src/sandbox/apiserver/types.js';

const ref = (uid: string, block = false): OwnerReference => ({ apiVersion: 'v1', kind: 'ConfigMap', name: uid, uid, ...(block ? { blockOwnerDeletion: true } : {}) });
const obj = (uid: string, meta: Partial<KubeObject['metadata']> = {}, resource = '/configmaps'): StoredRef => ({
  resource,
  object: { metadata: { name: uid, namespace: 'ns', uid, ...meta } },
});
const describeActions = (all: StoredRef[]) =>
  planGarbageCollection(all).map((a) => `${a.kind}:${a.target.object.metadata.uid}${a.kind === 'dropOwnerRefs' ? `:${a.uids.join('+')}` : ''}${a.kind === 'removeFinalizer' ? `:${a.finalizer}` : ''}`);

describe('garbage collection decisions', () => {
  it.each<[string, StoredRef[], string[]]>([
    ['nothing to do with live owners', [obj('o'), obj('d', { ownerReferences: [ref('o')] })], []],
    ['deletes a dependent whose only owner is gone', [obj('d', { ownerReferences: [ref('o')] })], ['delete:d']],
    ['drops a dangling reference when another owner lives', [obj('o1'), obj('d', { ownerReferences: [ref('o1'), ref('o2')] })], ['dropOwnerRefs:d:o2']],
    [
      'foreground: deletes dependents of an owner waiting for them',
      [obj('o', { deletionTimestamp: 't', finalizers: ['foregroundDeletion'] }), obj('d', { ownerReferences: [ref('o', true)] })],
      ['delete:d'],
    ],
    [
      'foreground: finishes when no blocking dependent remains',
      [obj('o', { deletionTimestamp: 't', finalizers: ['foregroundDeletion'] }), obj('d', { deletionTimestamp: 't', finalizers: ['x'], ownerReferences: [ref('o', false)] })],
      ['removeFinalizer:o:foregroundDeletion'],
    ],
    [
      'foreground: waits while a blocking dependent is still there',
      [obj('o', { deletionTimestamp: 't', finalizers: ['foregroundDeletion'] }), obj('d', { deletionTimestamp: 't', finalizers: ['x'], ownerReferences: [ref('o', true)] })],
      [],
    ],
    [
      'orphan: releases dependents, then the owner',
      [obj('o', { deletionTimestamp: 't', finalizers: ['orphan'] }), obj('d', { ownerReferences: [ref('o')] })],
      ['dropOwnerRefs:d:o', 'removeFinalizer:o:orphan'],
    ],
    [
      'a terminating namespace empties itself, then loses its finalizer',
      [{ resource: '/namespaces', object: { metadata: { name: 'ns', uid: 'n', deletionTimestamp: 't' }, spec: { finalizers: ['kubernetes'] } } }, obj('c')],
      ['delete:c'],
    ],
    [
      'an empty terminating namespace is finished',
      [{ resource: '/namespaces', object: { metadata: { name: 'ns', uid: 'n', deletionTimestamp: 't' }, spec: { finalizers: ['kubernetes'] } } }],
      ['removeFinalizer:n:kubernetes'],
    ],
    [
      'a deleted CRD deletes its objects first',
      [{ resource: 'apiextensions.k8s.io/customresourcedefinitions', object: { metadata: { name: 'ws.g', uid: 'crd', deletionTimestamp: 't', finalizers: ['customresourcecleanup.apiextensions.k8s.io'] }, spec: { group: 'g', names: { plural: 'ws' } } } }, obj('w', {}, 'g/ws')],
      ['delete:w'],
    ],
    [
      'then loses its finalizer',
      [{ resource: 'apiextensions.k8s.io/customresourcedefinitions', object: { metadata: { name: 'ws.g', uid: 'crd', deletionTimestamp: 't', finalizers: ['customresourcecleanup.apiextensions.k8s.io'] }, spec: { group: 'g', names: { plural: 'ws' } } } }],
      ['removeFinalizer:crd:customresourcecleanup.apiextensions.k8s.io'],
    ],
  ])('%s', (_name, all, expected) => {
    expect(describeActions(all)).toEqual(expected);
  });
});
