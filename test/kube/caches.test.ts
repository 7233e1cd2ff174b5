/** Caches against the in-memory API server: the transform applies to listed and watched objects alike, and the owner index follows them. */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { systemClock } from '../../src/clock.js';
import { slimTransform } from '../../src/kube/cache-transform.js';
import { Caches } from '../../src/kube/caches.js';
import { createLogger } from '../../src/log.js';
import { eventually } from '../support/eventually.js';
import { startEnv, type Env } from '../controller/harness.js';

const CONFIGMAP = { kind: 'ConfigMap', apiVersion: 'v1', plural: 'configmaps', namespaced: true };
// Owners that exist (the server's garbage collector removes dependents of missing ones): two ConfigMaps.
const uids: Record<string, string> = {};
const configMap = (name: string, owner?: string) => ({
  apiVersion: 'v1', kind: 'ConfigMap',
  metadata: { name, namespace: 'shop',
    ownerReferences: owner ? [{ apiVersion: 'v1', kind: 'ConfigMap', name: owner, uid: uids[owner], controller: true }] : [],
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', kept: 'yes' } }, data: { a: '1' },
});

let env: Env;
let caches: Caches;
beforeAll(async () => {
  env = await startEnv(['shop']);
  for (const owner of ['owner-1', 'owner-2']) {
    uids[owner] = (await env.client.apply<{ metadata: { uid: string } }>(CONFIGMAP, configMap(owner), 'someone')).metadata.uid;
  }
  await env.client.apply(CONFIGMAP, configMap('listed', 'owner-1'), 'someone');
  caches = new Caches(env.kc, env.client, [CONFIGMAP], systemClock, createLogger({ format: 'json', level: 'error' }),
    { namespaces: ['shop'], transform: slimTransform({ statusRead: new Set() }) });
  await caches.start();
  await eventually('synced', async () => caches.hasSynced());
}, 30_000);
afterAll(async () => {
  await caches?.stop();
  await env?.close();
});

test('a listed and a watched object are both cached without managed fields or the last-applied annotation', async () => {
  await env.client.apply(CONFIGMAP, configMap('watched', 'owner-1'), 'someone');
  await eventually('the watched object cached', async () => !!caches.get('ConfigMap', 'shop', 'watched'));
  for (const name of ['listed', 'watched']) {
    const cached = caches.get<{ metadata: Record<string, unknown>; data: object }>('ConfigMap', 'shop', name)!;
    expect(cached.metadata.managedFields).toBeUndefined();
    expect(cached.metadata.annotations).toEqual({ kept: 'yes' });
    expect(cached.data).toEqual({ a: '1' });
  }
  const live = await env.client.get<{ metadata: { managedFields?: unknown[] } }>(CONFIGMAP, 'shop', 'watched');
  expect(live?.metadata.managedFields?.length).toBeGreaterThan(0);
});

test('the owner index follows adds, owner changes and deletes', async () => {
  const names = (owner: string) => caches.owned<{ metadata: { name: string } }>(uids[owner]).map((o) => o.metadata.name).sort();
  await eventually('both under owner-1', async () => names('owner-1').join() === 'listed,watched');
  await env.client.apply(CONFIGMAP, configMap('watched', 'owner-2'), 'someone');
  await eventually('moved to owner-2', async () => names('owner-2').join() === 'watched' && names('owner-1').join() === 'listed');
  await env.client.delete(CONFIGMAP, 'shop', 'listed');
  await eventually('deleted', async () => names('owner-1').length === 0);
});
