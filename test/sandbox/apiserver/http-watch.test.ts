import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { makeInformer, PatchStrategy, setHeaderOptions, Watch, type V1ConfigMap } from '@kubernetes/client-node';
import { eventually, startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ bookmarkIntervalMs: 200 });
});
afterAll(async () => {
  await h.server.close();
});

interface Seen {
  type: string;
  name?: string;
  rv?: string;
  data?: Record<string, string>;
  code?: number;
}

/** Opens a watch and records what arrives until stopped. */
async function watch(path: string, params: Record<string, string | number | boolean | undefined>): Promise<{ events: Seen[]; done: Promise<unknown>; stop: () => void }> {
  const events: Seen[] = [];
  let finish: (err: unknown) => void = () => {};
  const done = new Promise((resolve) => (finish = resolve));
  const controller = await new Watch(h.kc).watch(
    path,
    params,
    (type, obj: { metadata?: { name?: string; resourceVersion?: string }; data?: Record<string, string>; code?: number }) => {
      events.push({ type, name: obj.metadata?.name, rv: obj.metadata?.resourceVersion, data: obj.data, code: obj.code });
    },
    (err) => finish(err),
  );
  return { events, done, stop: () => controller.abort() };
}

const cm = (name: string, labels: Record<string, string> = {}): V1ConfigMap => ({ metadata: { name, labels }, data: { v: '0' } });
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

describe('watch', () => {
  it('watch-list: current objects as ADDED, then the initial-events-end bookmark, then changes', async () => {
    await h.core.createNamespace({ body: { metadata: { name: 'wl' } } });
    await h.core.createNamespacedConfigMap({ namespace: 'wl', body: cm('a') });
    const events: { type: string; name?: string; annotations?: Record<string, string> }[] = [];
    const controller = await new Watch(h.kc).watch(
      '/api/v1/namespaces/wl/configmaps',
      { sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan', allowWatchBookmarks: true },
      (type, obj: { metadata?: { name?: string; annotations?: Record<string, string> } }) => events.push({ type, name: obj.metadata?.name, annotations: obj.metadata?.annotations }),
      () => undefined,
    );
    await eventually(() => events.length >= 2);
    await h.core.createNamespacedConfigMap({ namespace: 'wl', body: cm('b') });
    await eventually(() => events.some((e) => e.name === 'b'));
    controller.abort();
    expect(events.filter((e) => e.type !== 'BOOKMARK' || e.annotations).map((e) => `${e.type}:${e.name ?? JSON.stringify(e.annotations)}`))
      .toEqual(['ADDED:a', 'BOOKMARK:{"k8s.io/initial-events-end":"true"}', 'ADDED:b']);
  });

  it('streams ADDED, MODIFIED and DELETED from a resourceVersion, in order', async () => {
    const ns = await h.core.createNamespace({ body: { metadata: { name: 'w1' } } });
    const list = await h.core.listNamespacedConfigMap({ namespace: 'w1' });
    const w = await watch('/api/v1/namespaces/w1/configmaps', { resourceVersion: list.metadata!.resourceVersion });
    await h.core.createNamespacedConfigMap({ namespace: 'w1', body: cm('a') });
    await h.core.patchNamespacedConfigMap({ namespace: 'w1', name: 'a', body: { data: { v: '1' } } }, mergePatch);
    await h.core.deleteNamespacedConfigMap({ namespace: 'w1', name: 'a' });
    await h.core.createNamespacedConfigMap({ namespace: 'default', body: cm('elsewhere') });
    await eventually(() => w.events.length >= 3);
    w.stop();
    expect(w.events.map((e) => `${e.type}:${e.name}`)).toEqual(['ADDED:a', 'MODIFIED:a', 'DELETED:a']);
    const rvs = w.events.map((e) => Number(e.rv));
    expect([...rvs].sort((x, y) => x - y)).toEqual(rvs);
    expect(ns.metadata!.name).toBe('w1');
  });

  it('replays history when resuming from an older resourceVersion, and sends current state without one', async () => {
    await h.core.createNamespace({ body: { metadata: { name: 'w2' } } });
    const first = await h.core.createNamespacedConfigMap({ namespace: 'w2', body: cm('a') });
    await h.core.patchNamespacedConfigMap({ namespace: 'w2', name: 'a', body: { data: { v: '2' } } }, mergePatch);
    await h.core.createNamespacedConfigMap({ namespace: 'w2', body: cm('b') });
    const resumed = await watch('/api/v1/namespaces/w2/configmaps', { resourceVersion: first.metadata!.resourceVersion });
    await eventually(() => resumed.events.length >= 2);
    resumed.stop();
    expect(resumed.events.map((e) => `${e.type}:${e.name}:${e.data?.v}`)).toEqual(['MODIFIED:a:2', 'ADDED:b:0']);
    const fresh = await watch('/api/v1/namespaces/w2/configmaps', {});
    await eventually(() => fresh.events.length >= 2);
    fresh.stop();
    expect(fresh.events.map((e) => `${e.type}:${e.name}`)).toEqual(['ADDED:a', 'ADDED:b']);
  });

  it('answers a watch from a compacted resourceVersion with an ERROR event carrying 410 Gone', async () => {
    const before = await h.core.listNamespacedConfigMap({ namespace: 'default' });
    await h.core.createNamespacedConfigMap({ namespace: 'default', body: cm('after-list') });
    h.server.faults.compact();
    const w = await watch('/api/v1/namespaces/default/configmaps', { resourceVersion: before.metadata!.resourceVersion });
    await w.done;
    expect(w.events).toEqual([{ type: 'ERROR', code: 410, name: undefined, rv: undefined, data: undefined }]);
  });

  it('a list continue token from before a compaction is 410 Gone', async () => {
    for (const n of ['page-a', 'page-b']) await h.core.createNamespacedConfigMap({ namespace: 'default', body: cm(n, { paged: 'yes' }) });
    const first = await h.core.listNamespacedConfigMap({ namespace: 'default', labelSelector: 'paged', limit: 1 });
    h.server.faults.compact();
    const res = await fetch(`${h.server.url}/api/v1/namespaces/default/configmaps?labelSelector=paged&limit=1&continue=${first.metadata!._continue}`);
    expect(res.status).toBe(410);
    expect(((await res.json()) as { reason: string }).reason).toBe('Expired');
  });

  it('sends BOOKMARK events when allowed, and ends at timeoutSeconds', async () => {
    const list = await h.core.listNamespacedConfigMap({ namespace: 'default' });
    const started = Date.now();
    const w = await watch('/api/v1/namespaces/default/configmaps', { resourceVersion: list.metadata!.resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 1 });
    await w.done;
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const bookmarks = w.events.filter((e) => e.type === 'BOOKMARK');
    expect(bookmarks.length).toBeGreaterThanOrEqual(1);
    expect(bookmarks[0].rv).toEqual(expect.any(String));
  });

  it('is selector-aware: an object that starts matching is ADDED, one that stops is DELETED', async () => {
    await h.core.createNamespace({ body: { metadata: { name: 'w3' } } });
    const list = await h.core.listNamespacedConfigMap({ namespace: 'w3' });
    const w = await watch('/api/v1/namespaces/w3/configmaps', { resourceVersion: list.metadata!.resourceVersion, labelSelector: 'role=primary' });
    const byName = await watch('/api/v1/namespaces/w3/configmaps', { resourceVersion: list.metadata!.resourceVersion, fieldSelector: 'metadata.name=x' });
    await h.core.createNamespacedConfigMap({ namespace: 'w3', body: cm('x', { role: 'replica' }) });
    await h.core.createNamespacedConfigMap({ namespace: 'w3', body: cm('y', { role: 'primary' }) });
    await h.core.patchNamespacedConfigMap({ namespace: 'w3', name: 'x', body: { metadata: { labels: { role: 'primary' } } } }, mergePatch);
    await h.core.patchNamespacedConfigMap({ namespace: 'w3', name: 'y', body: { metadata: { labels: { role: 'replica' } } } }, mergePatch);
    await h.core.patchNamespacedConfigMap({ namespace: 'w3', name: 'y', body: { data: { v: 'ignored' } } }, mergePatch);
    await eventually(() => w.events.length >= 3 && byName.events.length >= 2);
    await new Promise((r) => setTimeout(r, 100));
    w.stop();
    byName.stop();
    expect(w.events.map((e) => `${e.type}:${e.name}`)).toEqual(['ADDED:y', 'ADDED:x', 'DELETED:y']);
    expect(byName.events.map((e) => `${e.type}:${e.name}`)).toEqual(['ADDED:x', 'MODIFIED:x']);
  });

  it('serves the legacy /watch/ path prefix, for one object too', async () => {
    const start = await h.core.createNamespacedConfigMap({ namespace: 'default', body: cm('legacy') });
    const one = await watch('/api/v1/watch/namespaces/default/configmaps/legacy', { resourceVersion: start.metadata!.resourceVersion });
    await h.core.createNamespacedConfigMap({ namespace: 'default', body: cm('legacy-other') });
    await h.core.patchNamespacedConfigMap({ namespace: 'default', name: 'legacy', body: { data: { v: 'changed' } } }, mergePatch);
    await eventually(() => one.events.length >= 1);
    one.stop();
    expect(one.events.map((e) => `${e.type}:${e.name}:${e.data?.v}`)).toEqual(['MODIFIED:legacy:changed']);
  });

  it('ends every open watch on dropWatches', async () => {
    const w = await watch('/api/v1/namespaces/default/configmaps', { resourceVersion: (await h.core.listNamespacedConfigMap({ namespace: 'default' })).metadata!.resourceVersion });
    h.server.faults.dropWatches();
    await w.done;
    expect(w.events).toEqual([]);
  });
});

describe('informers', () => {
  it('list, then watch; resume after a dropped watch; relist after 410', async () => {
    await h.core.createNamespace({ body: { metadata: { name: 'inf' } } });
    await h.core.createNamespacedConfigMap({ namespace: 'inf', body: cm('before') });
    const informer = makeInformer(h.kc, '/api/v1/namespaces/inf/configmaps', () => h.core.listNamespacedConfigMap({ namespace: 'inf' }));
    const seen: string[] = [];
    informer.on('add', (o) => seen.push(`add:${o.metadata!.name}`));
    informer.on('update', (o) => seen.push(`update:${o.metadata!.name}:${o.data?.v}`));
    informer.on('delete', (o) => seen.push(`delete:${o.metadata!.name}`));
    const errors: unknown[] = [];
    informer.on('error', (err) => errors.push(err));
    await informer.start();
    try {
      expect(informer.list().map((o) => o.metadata!.name)).toEqual(['before']);
      await h.core.createNamespacedConfigMap({ namespace: 'inf', body: cm('live') });
      await eventually(() => seen.includes('add:live'));

      // A dropped watch: the informer reconnects from its last resourceVersion and misses nothing.
      h.server.faults.dropWatches();
      await h.core.patchNamespacedConfigMap({ namespace: 'inf', name: 'live', body: { data: { v: 'while-away' } } }, mergePatch);
      await eventually(() => seen.includes('update:live:while-away'));

      // Compaction while disconnected: the resume gets 410, the informer relists and catches up.
      h.server.faults.compact();
      h.server.faults.dropWatches();
      await h.core.deleteNamespacedConfigMap({ namespace: 'inf', name: 'before' });
      await h.core.createNamespacedConfigMap({ namespace: 'inf', body: cm('after-410') });
      await eventually(() => informer.list().map((o) => o.metadata!.name).sort().join() === 'after-410,live');
      await eventually(() => seen.includes('delete:before') && seen.includes('add:after-410'));
    } finally {
      await informer.stop();
    }
  });
});
