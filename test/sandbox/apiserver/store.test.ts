import { describe, expect, it } from '@jest/globals';
import { ObjectStore, type StoreEvent } from '../../../src/sandbox/apiserver/store.js';

const obj = (name: string, data = 'x') => ({ metadata: { name, namespace: 'ns' }, data });

describe('ObjectStore', () => {
  it('gives every write a new, increasing resourceVersion and records events in order', () => {
    const store = new ObjectStore();
    const seen: StoreEvent[] = [];
    store.subscribe((e) => seen.push(e));
    const a = store.put('/configmaps', obj('a'));
    const a2 = store.put('/configmaps', obj('a', 'y'));
    const gone = store.remove('/configmaps', 'ns', 'a')!;
    expect(Number(a2.metadata.resourceVersion)).toBeGreaterThan(Number(a.metadata.resourceVersion));
    expect(Number(gone.metadata.resourceVersion)).toBeGreaterThan(Number(a2.metadata.resourceVersion));
    expect(seen.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    expect(seen[1].previous?.data).toBe('x');
    expect(store.get('/configmaps', 'ns', 'a')).toBeUndefined();
  });

  it('replays events after a resourceVersion and reports older ones as gone once history is bounded', () => {
    const store = new ObjectStore(3);
    const first = store.put('/configmaps', obj('a'));
    for (const n of ['b', 'c', 'd', 'e']) store.put('/configmaps', obj(n));
    expect(store.eventsSince(Number(first.metadata.resourceVersion))).toBeUndefined();
    const recent = store.eventsSince(store.currentRv - 2)!;
    expect(recent.map((e) => e.object.metadata.name)).toEqual(['d', 'e']);
  });

  it('compact makes every earlier resourceVersion too old', () => {
    const store = new ObjectStore();
    const a = store.put('/configmaps', obj('a'));
    store.compact();
    expect(store.eventsSince(Number(a.metadata.resourceVersion))).toBeUndefined();
    expect(store.eventsSince(store.currentRv)).toEqual([]);
    expect(store.eventsSince(store.currentRv - 1)).toBeUndefined();
  });

  it('lists by namespace, sorted by name, and filters events by resource', () => {
    const store = new ObjectStore();
    store.put('/configmaps', obj('b'));
    store.put('/configmaps', { metadata: { name: 'a', namespace: 'other' } });
    store.put('/configmaps', obj('a'));
    store.put('/secrets', obj('s'));
    expect(store.list('/configmaps', 'ns').map((o) => o.metadata.name)).toEqual(['a', 'b']);
    expect(store.list('/configmaps').map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['ns/a', 'ns/b', 'other/a']);
    expect(store.eventsSince(1, '/secrets')!.map((e) => e.object.metadata.name)).toEqual(['s']);
  });
});
