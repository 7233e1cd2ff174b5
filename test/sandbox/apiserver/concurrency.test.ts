import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';
import { eventually, startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.server.close();
});

describe('concurrency', () => {
  it('many clients updating one object: exactly one winner per resourceVersion; watchers see every change in order', async () => {
    const start = await h.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'counter' }, data: { n: '0' } } });
    const watchers = await Promise.all(
      Array.from({ length: 3 }, async () => {
        const seen: number[] = [];
        const controller = await new Watch(h.kc).watch(
          '/api/v1/namespaces/default/configmaps',
          { resourceVersion: start.metadata!.resourceVersion, fieldSelector: 'metadata.name=counter' },
          (_type, obj: { data: { n: string } }) => seen.push(Number(obj.data.n)),
          () => {},
        );
        return { seen, controller };
      }),
    );
    const clients = Array.from({ length: 8 }, () => {
      const kc = new KubeConfig();
      kc.loadFromString(h.server.kubeconfig());
      return kc.makeApiClient(CoreV1Api);
    });
    const winsByRv = new Map<string, number>();
    let conflicts = 0;
    const increments = 60;
    let done = 0;
    await Promise.all(
      clients.map(async (api, id) => {
        while (done < increments) {
          const cur = await api.readNamespacedConfigMap({ namespace: 'default', name: 'counter' });
          const n = Number(cur.data!.n);
          if (n >= increments) return;
          try {
            await api.replaceNamespacedConfigMap({ namespace: 'default', name: 'counter', body: { ...cur, data: { n: String(n + 1), by: String(id) } } });
            const rv = cur.metadata!.resourceVersion!;
            winsByRv.set(rv, (winsByRv.get(rv) ?? 0) + 1);
            done++;
          } catch (err) {
            if ((err as { code?: number }).code !== 409) throw err;
            conflicts++;
          }
        }
      }),
    );
    const final = await h.core.readNamespacedConfigMap({ namespace: 'default', name: 'counter' });
    expect(Number(final.data!.n)).toBe(increments);
    expect(winsByRv.size).toBe(increments);
    expect([...winsByRv.values()].every((w) => w === 1)).toBe(true);
    expect(conflicts).toBeGreaterThan(0);
    const expected = Array.from({ length: increments }, (_, i) => i + 1);
    for (const w of watchers) {
      await eventually(() => w.seen.length >= increments);
      w.controller.abort();
      expect(w.seen).toEqual(expected);
    }
  });
});
