import { describe, expect, it } from '@jest/globals';
import { ObjectStore, type Located } from '../../../src/sandbox/apiserver/store.js';
import type { KubeObject, OwnerReference } from '../../../src/sandbox/apiserver/types.js';

const CM = '/configmaps';
const DEPLOY = 'apps/deployments';

const ref = (uid: string): OwnerReference => ({ apiVersion: 'v1', kind: 'ConfigMap', name: `owner-${uid}`, uid });

interface Spec {
  ns?: string;
  uid?: string;
  owners?: string[];
  deleting?: boolean;
  finalizers?: string[];
}

const make = (name: string, spec: Spec = {}): KubeObject => ({
  metadata: {
    name,
    ...(spec.ns === undefined ? {} : { namespace: spec.ns }),
    ...(spec.uid ? { uid: spec.uid } : {}),
    ...(spec.owners ? { ownerReferences: spec.owners.map(ref) } : {}),
    ...(spec.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
    ...(spec.finalizers ? { finalizers: spec.finalizers } : {}),
  },
});

/** `resource ns/name` of located objects, sorted, so sets compare regardless of order. */
const ids = (located: Located[]): string[] => located.map((l) => `${l.resource} ${l.object.metadata.namespace ?? ''}/${l.object.metadata.name}`).sort();

const everything = (store: ObjectStore): Located[] => store.resources().flatMap((resource) => store.list(resource).map((object) => ({ resource, object })));

const sameVersion = (store: ObjectStore, l: Located): boolean => store.get(l.resource, l.object.metadata.namespace, l.object.metadata.name!) === l.object;

/** What the indexes answer for every uid in `probe`, in a form that compares with one assertion. */
function indexView(store: ObjectStore, probe: Iterable<string>) {
  const view = {
    missing: [...store.missingOwnerUids()].sort(),
    deleting: ids(store.deleting()),
    byUid: {} as Record<string, string>,
    dependents: {} as Record<string, string[]>,
    // Located objects are the stored version, never a stale copy.
    stale: [] as string[],
  };
  for (const uid of probe) {
    const found = store.byUid(uid);
    if (found) view.byUid[uid] = ids([found])[0];
    const dependents = store.dependents(uid);
    if (dependents.length > 0) view.dependents[uid] = ids(dependents);
    view.stale.push(...ids([...(found ? [found] : []), ...dependents].filter((l) => !sameVersion(store, l))));
  }
  view.stale.push(...ids(store.deleting().filter((l) => !sameVersion(store, l))));
  return view;
}

/** Every index recomputed from the full object list; `uids` lists extra uids to probe (stale or never stored). */
function expectIndexesMatchBruteForce(store: ObjectStore, uids: Iterable<string>): void {
  const all = everything(store);
  const stored = new Set(all.map((l) => l.object.metadata.uid).filter((u): u is string => !!u));
  const referenced = new Set(all.flatMap((l) => (l.object.metadata.ownerReferences ?? []).map((r) => r.uid)));
  const probe = new Set([...uids, ...stored, ...referenced]);
  const expected: ReturnType<typeof indexView> = {
    missing: [...referenced].filter((u) => !stored.has(u)).sort(),
    deleting: ids(all.filter((l) => l.object.metadata.deletionTimestamp)),
    byUid: {},
    dependents: {},
    stale: [],
  };
  for (const l of all) {
    if (l.object.metadata.uid) expected.byUid[l.object.metadata.uid] = ids([l])[0];
    for (const owner of new Set((l.object.metadata.ownerReferences ?? []).map((r) => r.uid))) (expected.dependents[owner] ??= []).push(ids([l])[0]);
  }
  for (const list of Object.values(expected.dependents)) list.sort();
  expect(indexView(store, probe)).toEqual(expected);
}

describe('ObjectStore indexes', () => {
  it('starts empty', () => {
    const store = new ObjectStore();
    expect(store.byUid('u')).toBeUndefined();
    expect(store.dependents('u')).toEqual([]);
    expect(store.missingOwnerUids()).toEqual([]);
    expect(store.deleting()).toEqual([]);
  });

  it('finds an object by uid and forgets it on remove', () => {
    const store = new ObjectStore();
    store.put(CM, make('a', { ns: 'ns', uid: 'ua' }));
    expect(store.byUid('ua')).toEqual({ resource: CM, object: store.get(CM, 'ns', 'a') });
    store.remove(CM, 'ns', 'a');
    expect(store.byUid('ua')).toBeUndefined();
    expectIndexesMatchBruteForce(store, ['ua']);
  });

  it('a uid-preserving update keeps the uid index pointing at the newest version', () => {
    const store = new ObjectStore();
    store.put(CM, make('a', { ns: 'ns', uid: 'ua' }));
    const second = store.put(CM, { ...make('a', { ns: 'ns', uid: 'ua' }), data: { k: 'v' } });
    expect(store.byUid('ua')!.object).toBe(second);
    expect(store.byUid('ua')!.object.data).toEqual({ k: 'v' });
    expectIndexesMatchBruteForce(store, ['ua']);
  });

  it('replacing an object under the same name with a new uid drops the old uid', () => {
    const store = new ObjectStore();
    store.put(CM, make('a', { ns: 'ns', uid: 'old' }));
    store.put(CM, make('d', { ns: 'ns', uid: 'ud', owners: ['old'] }));
    store.put(CM, make('a', { ns: 'ns', uid: 'new' }));
    expect(store.byUid('old')).toBeUndefined();
    expect(store.byUid('new')!.object.metadata.name).toBe('a');
    expect(store.missingOwnerUids()).toEqual(['old']);
    expectIndexesMatchBruteForce(store, ['old', 'new']);
  });

  it('a missing owner becomes present when the owner is stored after its dependent', () => {
    const store = new ObjectStore();
    store.put(CM, make('d', { ns: 'ns', uid: 'ud', owners: ['uo'] }));
    expect(store.missingOwnerUids()).toEqual(['uo']);
    expect(ids(store.dependents('uo'))).toEqual([`${CM} ns/d`]);
    store.put(DEPLOY, make('o', { ns: 'ns', uid: 'uo' }));
    expect(store.missingOwnerUids()).toEqual([]);
    expect(ids(store.dependents('uo'))).toEqual([`${CM} ns/d`]);
    expectIndexesMatchBruteForce(store, ['uo', 'ud']);
  });

  it('a removed owner becomes missing while its dependents remain, and stops being missing when they go', () => {
    const store = new ObjectStore();
    store.put(CM, make('o', { ns: 'ns', uid: 'uo' }));
    store.put(CM, make('d1', { ns: 'ns', uid: 'u1', owners: ['uo'] }));
    store.put(CM, make('d2', { ns: 'ns', uid: 'u2', owners: ['uo'] }));
    expect(store.missingOwnerUids()).toEqual([]);
    store.remove(CM, 'ns', 'o');
    expect(store.missingOwnerUids()).toEqual(['uo']);
    expect(ids(store.dependents('uo'))).toEqual([`${CM} ns/d1`, `${CM} ns/d2`]);
    store.remove(CM, 'ns', 'd1');
    expect(store.missingOwnerUids()).toEqual(['uo']);
    store.remove(CM, 'ns', 'd2');
    expect(store.missingOwnerUids()).toEqual([]);
    expect(store.dependents('uo')).toEqual([]);
    expectIndexesMatchBruteForce(store, ['uo', 'u1', 'u2']);
  });

  it('removing an owner without dependents does not make it missing', () => {
    const store = new ObjectStore();
    store.put(CM, make('o', { ns: 'ns', uid: 'uo' }));
    store.remove(CM, 'ns', 'o');
    expect(store.missingOwnerUids()).toEqual([]);
  });

  it('indexes a dependent under each of several owners, present or missing', () => {
    const store = new ObjectStore();
    store.put(CM, make('o1', { ns: 'ns', uid: 'o1' }));
    store.put(CM, make('d', { ns: 'ns', uid: 'ud', owners: ['o1', 'o2', 'o3'] }));
    expect(store.missingOwnerUids().sort()).toEqual(['o2', 'o3']);
    for (const o of ['o1', 'o2', 'o3']) expect(ids(store.dependents(o))).toEqual([`${CM} ns/d`]);
    expectIndexesMatchBruteForce(store, ['o1', 'o2', 'o3']);
  });

  it('an update changing ownerReferences moves the dependent between owners', () => {
    const store = new ObjectStore();
    store.put(CM, make('o1', { ns: 'ns', uid: 'o1' }));
    store.put(CM, make('d', { ns: 'ns', uid: 'ud', owners: ['o1', 'gone'] }));
    expect(store.missingOwnerUids()).toEqual(['gone']);
    // Drop the dangling reference, as garbage collection does, and add another owner.
    store.put(CM, make('d', { ns: 'ns', uid: 'ud', owners: ['o1', 'o4'] }));
    expect(store.missingOwnerUids()).toEqual(['o4']);
    expect(store.dependents('gone')).toEqual([]);
    expect(ids(store.dependents('o4'))).toEqual([`${CM} ns/d`]);
    store.put(CM, make('d', { ns: 'ns', uid: 'ud' }));
    expect(store.missingOwnerUids()).toEqual([]);
    expect(store.dependents('o1')).toEqual([]);
    expectIndexesMatchBruteForce(store, ['o1', 'o4', 'gone', 'ud']);
  });

  it('keeps same-named dependents in different namespaces and resources apart', () => {
    const store = new ObjectStore();
    store.put(CM, make('owner', { uid: 'uo' }));
    store.put(CM, make('d', { ns: 'a', uid: 'ua', owners: ['uo'] }));
    store.put(CM, make('d', { ns: 'b', uid: 'ub', owners: ['uo'] }));
    store.put(DEPLOY, make('d', { ns: 'a', uid: 'uc', owners: ['uo'] }));
    store.put(CM, make('d', { uid: 'ucl', owners: ['uo'] }));
    expect(ids(store.dependents('uo'))).toEqual([`${CM} /d`, `${CM} a/d`, `${CM} b/d`, `${DEPLOY} a/d`]);
    store.remove(CM, 'a', 'd');
    expect(ids(store.dependents('uo'))).toEqual([`${CM} /d`, `${CM} b/d`, `${DEPLOY} a/d`]);
    expectIndexesMatchBruteForce(store, ['uo', 'ua']);
  });

  it('tracks deletionTimestamp set, kept across updates, and the object leaving once finalizers are gone', () => {
    const store = new ObjectStore();
    store.put(CM, make('a', { ns: 'ns', uid: 'ua', finalizers: ['f1', 'f2'] }));
    expect(store.deleting()).toEqual([]);
    store.put(CM, make('a', { ns: 'ns', uid: 'ua', finalizers: ['f1', 'f2'], deleting: true }));
    expect(ids(store.deleting())).toEqual([`${CM} ns/a`]);
    const latest = store.put(CM, make('a', { ns: 'ns', uid: 'ua', finalizers: ['f2'], deleting: true }));
    expect(store.deleting()).toEqual([{ resource: CM, object: latest }]);
    // The last finalizer removed: the API server removes the object.
    store.remove(CM, 'ns', 'a');
    expect(store.deleting()).toEqual([]);
    expectIndexesMatchBruteForce(store, ['ua']);
  });

  it('an update clearing deletionTimestamp takes the object off the deleting index', () => {
    const store = new ObjectStore();
    store.put(CM, make('a', { ns: 'ns', uid: 'ua', deleting: true }));
    store.put(DEPLOY, make('a', { ns: 'ns', uid: 'ub', deleting: true }));
    store.put(CM, make('a', { ns: 'ns', uid: 'ua' }));
    expect(ids(store.deleting())).toEqual([`${DEPLOY} ns/a`]);
    expectIndexesMatchBruteForce(store, ['ua', 'ub']);
  });

  it('an object owning itself is never a missing owner', () => {
    const store = new ObjectStore();
    store.put(CM, make('a', { ns: 'ns', uid: 'ua', owners: ['ua'] }));
    expect(store.missingOwnerUids()).toEqual([]);
    store.remove(CM, 'ns', 'a');
    expect(store.missingOwnerUids()).toEqual([]);
    expect(store.dependents('ua')).toEqual([]);
  });

  it('agrees with a brute-force recomputation after every step of a random sequence', () => {
    // mulberry32: a fixed seed makes every run the same sequence.
    let seed = 0x5eed1234;
    const random = (): number => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];

    const resources = [CM, DEPLOY];
    const namespaces = ['a', 'b', undefined];
    const names = ['x', 'y', 'z'];
    const store = new ObjectStore(50);
    const everUsed = new Set<string>(['never-stored']);
    let nextUid = 0;
    const counts = { added: 0, updated: 0, newUid: 0, removed: 0, deleting: 0, missing: 0 };

    for (let step = 0; step < 400; step++) {
      const resource = pick(resources);
      const ns = pick(namespaces);
      const name = pick(names);
      const current = store.get(resource, ns, name);
      if (current && random() < 0.3) {
        store.remove(resource, ns, name);
        counts.removed++;
      } else {
        const keepUid = current?.metadata.uid && random() < 0.85;
        const uid = keepUid ? current.metadata.uid! : `u${nextUid++}`;
        if (current) counts[keepUid ? 'updated' : 'newUid']++;
        else counts.added++;
        everUsed.add(uid);
        const candidates = [...everUsed];
        const owners = Array.from({ length: Math.floor(random() * 3) }, () => pick(candidates));
        if (random() < 0.1) owners.push(`dangling${Math.floor(random() * 3)}`);
        store.put(resource, make(name, { ns, uid, owners, deleting: random() < 0.25 }));
      }
      for (const uid of store.missingOwnerUids()) everUsed.add(uid);
      if (store.deleting().length > 0) counts.deleting++;
      if (store.missingOwnerUids().length > 0) counts.missing++;
      expectIndexesMatchBruteForce(store, everUsed);
    }
    // The sequence must have exercised every kind of change for the comparison to mean anything.
    for (const [kind, n] of Object.entries(counts)) expect([kind, n > 10]).toEqual([kind, true]);
  });
});
