import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PatchStrategy, setHeaderOptions, type V1ConfigMap, type V1OwnerReference } from '@kubernetes/client-node';
import { eventually, failure, startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.server.close();
});

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const exists = async (name: string, namespace = 'default'): Promise<boolean> => {
  try {
    await h.core.readNamespacedConfigMap({ namespace, name });
    return true;
  } catch {
    return false;
  }
};
const owned = (name: string, owner: V1ConfigMap, block = false): V1ConfigMap => ({
  metadata: {
    name,
    ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: owner.metadata!.name!, uid: owner.metadata!.uid!, ...(block ? { blockOwnerDeletion: true } : {}) } as V1OwnerReference],
  },
});

describe('finalizers and deletionTimestamp', () => {
  it('a delete with finalizers only marks the object; removing the last finalizer deletes it', async () => {
    await h.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'fin', finalizers: ['example.com/a', 'example.com/b'] } } });
    await h.core.deleteNamespacedConfigMap({ namespace: 'default', name: 'fin' });
    const marked = await h.core.readNamespacedConfigMap({ namespace: 'default', name: 'fin' });
    expect(marked.metadata!.deletionTimestamp).toBeInstanceOf(Date);
    const refused = await failure(h.core.patchNamespacedConfigMap({ namespace: 'default', name: 'fin', body: { metadata: { finalizers: ['example.com/a', 'example.com/b', 'example.com/new'] } } }, mergePatch));
    expect(refused.code).toBe(422);
    expect(refused.message).toContain('no new finalizers can be added if the object is being deleted');
    await h.core.patchNamespacedConfigMap({ namespace: 'default', name: 'fin', body: { metadata: { finalizers: ['example.com/b'] } } }, mergePatch);
    expect(await exists('fin')).toBe(true);
    await h.core.patchNamespacedConfigMap({ namespace: 'default', name: 'fin', body: { metadata: { finalizers: null } } }, mergePatch);
    expect(await exists('fin')).toBe(false);
  });
});

describe('owner-reference garbage collection', () => {
  it('background: dependents go after the owner is gone', async () => {
    const owner = await h.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'bg-owner' } } });
    await h.core.createNamespacedConfigMap({ namespace: 'default', body: owned('bg-dep', owner) });
    const grandchild = await h.core.readNamespacedConfigMap({ namespace: 'default', name: 'bg-dep' });
    await h.core.createNamespacedConfigMap({ namespace: 'default', body: owned('bg-grandchild', grandchild) });
    await h.core.deleteNamespacedConfigMap({ namespace: 'default', name: 'bg-owner', propagationPolicy: 'Background' });
    expect(await exists('bg-owner')).toBe(false);
    await eventually(async () => !(await exists('bg-dep')) && !(await exists('bg-grandchild')));
  });

  it('foreground: the owner waits (foregroundDeletion finalizer) until blocking dependents are gone', async () => {
    const owner = await h.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'fg-owner' } } });
    await h.core.createNamespacedConfigMap({ namespace: 'default', body: { ...owned('fg-dep', owner, true), metadata: { ...owned('fg-dep', owner, true).metadata, finalizers: ['example.com/hold'] } } });
    await h.core.deleteNamespacedConfigMap({ namespace: 'default', name: 'fg-owner', propagationPolicy: 'Foreground' });
    const waiting = await eventually(async () => {
      const o = await h.core.readNamespacedConfigMap({ namespace: 'default', name: 'fg-owner' });
      const d = await h.core.readNamespacedConfigMap({ namespace: 'default', name: 'fg-dep' });
      return d.metadata!.deletionTimestamp ? o : false;
    });
    expect(waiting.metadata!.finalizers).toContain('foregroundDeletion');
    expect(waiting.metadata!.deletionTimestamp).toBeInstanceOf(Date);
    await h.core.patchNamespacedConfigMap({ namespace: 'default', name: 'fg-dep', body: { metadata: { finalizers: null } } }, mergePatch);
    await eventually(async () => !(await exists('fg-owner')));
  });

  it('orphan: dependents stay and lose their owner reference', async () => {
    const owner = await h.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'or-owner' } } });
    await h.core.createNamespacedConfigMap({ namespace: 'default', body: owned('or-dep', owner) });
    await h.core.deleteNamespacedConfigMap({ namespace: 'default', name: 'or-owner', propagationPolicy: 'Orphan' });
    await eventually(async () => !(await exists('or-owner')));
    const dep = await h.core.readNamespacedConfigMap({ namespace: 'default', name: 'or-dep' });
    expect(dep.metadata!.ownerReferences).toBeUndefined();
  });

  it('a dependent of several owners stays while one of them lives', async () => {
    const a = await h.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'multi-a' } } });
    const b = await h.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'multi-b' } } });
    const dep = owned('multi-dep', a);
    dep.metadata!.ownerReferences!.push(owned('x', b).metadata!.ownerReferences![0]);
    await h.core.createNamespacedConfigMap({ namespace: 'default', body: dep });
    await h.core.deleteNamespacedConfigMap({ namespace: 'default', name: 'multi-a' });
    const left = await eventually(async () => {
      const d = await h.core.readNamespacedConfigMap({ namespace: 'default', name: 'multi-dep' });
      return d.metadata!.ownerReferences!.length === 1 ? d : false;
    });
    expect(left.metadata!.ownerReferences![0].name).toBe('multi-b');
  });
});

describe('namespaces', () => {
  it('deleting a namespace deletes its contents, then the namespace; new content is refused meanwhile', async () => {
    await h.core.createNamespace({ body: { metadata: { name: 'doomed' } } });
    await h.core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'held', finalizers: ['example.com/hold'] } } });
    await h.core.createNamespacedSecret({ namespace: 'doomed', body: { metadata: { name: 's' } } });
    await h.core.deleteNamespace({ name: 'doomed' });
    const terminating = await h.core.readNamespace({ name: 'doomed' });
    expect(terminating.status!.phase).toBe('Terminating');
    expect((await failure(h.core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'late' } } }))).code).toBe(403);
    await eventually(async () => (await h.core.listNamespacedSecret({ namespace: 'doomed' })).items.length === 0);
    await h.core.patchNamespacedConfigMap({ namespace: 'doomed', name: 'held', body: { metadata: { finalizers: null } } }, mergePatch);
    await eventually(async () => (await failure(h.core.readNamespace({ name: 'doomed' }))).code === 404);
  });
});

describe('pods', () => {
  it('a pod bound to a node is deleted gracefully: deletionTimestamp first, gone on gracePeriodSeconds=0', async () => {
    await h.core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'p' }, spec: { nodeName: 'sandbox', containers: [{ name: 'c', image: 'i' }] } } });
    await h.core.deleteNamespacedPod({ namespace: 'default', name: 'p' });
    const terminating = await h.core.readNamespacedPod({ namespace: 'default', name: 'p' });
    expect(terminating.metadata!.deletionTimestamp).toBeInstanceOf(Date);
    expect(terminating.metadata!.deletionGracePeriodSeconds).toBe(30);
    await h.core.deleteNamespacedPod({ namespace: 'default', name: 'p', gracePeriodSeconds: 0 });
    expect((await failure(h.core.readNamespacedPod({ namespace: 'default', name: 'p' }))).code).toBe(404);
  });

  it('an unscheduled pod is deleted at once', async () => {
    await h.core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'unbound' }, spec: { containers: [{ name: 'c', image: 'i' }] } } });
    await h.core.deleteNamespacedPod({ namespace: 'default', name: 'unbound' });
    expect((await failure(h.core.readNamespacedPod({ namespace: 'default', name: 'unbound' }))).code).toBe(404);
  });
});
