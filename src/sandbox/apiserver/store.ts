/**
 * The object store: every object of every resource, one global resourceVersion, and a bounded
 * history of changes that watches replay from. Pure data, no HTTP and no API semantics.
 */
import { clone, type KubeObject } from './types.js';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: EventType;
  /** storageKey(resourceType): `group/plural`. */
  resource: string;
  object: KubeObject;
  /** The object before this change (MODIFIED and DELETED), so selector-aware watches can tell. */
  previous?: KubeObject;
  rv: number;
}

export type Listener = (event: StoreEvent) => void;

/** Where an object lives: its resource and key, so indexes never hold a stale copy. */
interface Location {
  resource: string;
  key: string;
}

export interface Located {
  resource: string;
  object: KubeObject;
}

function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

export class ObjectStore {
  private readonly byResource = new Map<string, Map<string, KubeObject>>();
  private readonly history: StoreEvent[] = [];
  private readonly listeners = new Set<Listener>();
  /** Indexes for garbage collection, kept so it never has to scan every object on each write. */
  private readonly uids = new Map<string, Location>();
  private readonly dependentsByOwner = new Map<string, Map<string, Location>>();
  /** Owner uids that some object references but no stored object has. */
  private readonly missingOwners = new Set<string>();
  private readonly deletingObjects = new Map<string, Location>();
  private rv = 1;
  /** Events with rv greater than this are in history; older resourceVersions are gone. */
  private oldestAvailable = 1;

  constructor(private readonly historyLimit = 10000) {}

  get currentRv(): number {
    return this.rv;
  }

  get oldestRv(): number {
    return this.oldestAvailable;
  }

  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.byResource.get(resource)?.get(objectKey(namespace, name));
  }

  /** Objects of one resource (optionally one namespace), sorted by namespace then name. */
  list(resource: string, namespace?: string): KubeObject[] {
    const all = [...(this.byResource.get(resource)?.values() ?? [])];
    const picked = namespace === undefined ? all : all.filter((o) => o.metadata.namespace === namespace);
    return picked.sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
  }

  resources(): string[] {
    return [...this.byResource.keys()];
  }

  /** Stores a new version of an object under a new resourceVersion and records the event. */
  put(resource: string, object: KubeObject): KubeObject {
    const map = this.byResource.get(resource) ?? new Map<string, KubeObject>();
    this.byResource.set(resource, map);
    const key = objectKey(object.metadata.namespace, object.metadata.name!);
    const previous = map.get(key);
    const stored = clone(object);
    this.rv++;
    stored.metadata.resourceVersion = String(this.rv);
    if (previous) this.unindex(resource, key, previous);
    map.set(key, stored);
    this.index(resource, key, stored);
    this.record({ type: previous ? 'MODIFIED' : 'ADDED', resource, object: stored, previous, rv: this.rv });
    return stored;
  }

  remove(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const map = this.byResource.get(resource);
    const key = objectKey(namespace, name);
    const previous = map?.get(key);
    if (!map || !previous) return undefined;
    map.delete(key);
    this.unindex(resource, key, previous);
    this.rv++;
    const gone = clone(previous);
    gone.metadata.resourceVersion = String(this.rv);
    this.record({ type: 'DELETED', resource, object: gone, previous, rv: this.rv });
    return gone;
  }

  /** Events after `rv` for one resource, or undefined when they are no longer kept. */
  eventsSince(rv: number, resource?: string): StoreEvent[] | undefined {
    if (rv < this.oldestAvailable) return undefined;
    const start = lowerBound(this.history, rv);
    const events = this.history.slice(start);
    return resource ? events.filter((e) => e.resource === resource) : events;
  }

  /**
   * Forgets all history: every resourceVersion handed out so far is too old to watch from.
   * The version moves on by one so a list made after compaction can be watched from.
   */
  compact(): void {
    this.history.length = 0;
    this.rv++;
    this.oldestAvailable = this.rv;
  }

  byUid(uid: string): Located | undefined {
    const at = this.uids.get(uid);
    return at && this.locate(at);
  }

  /** Objects with an owner reference to `uid`. */
  dependents(uid: string): Located[] {
    return [...(this.dependentsByOwner.get(uid)?.values() ?? [])].map((at) => this.locate(at)!);
  }

  /** Owner uids referenced by some object that no stored object has. */
  missingOwnerUids(): string[] {
    return [...this.missingOwners];
  }

  /** Objects with a deletionTimestamp. */
  deleting(): Located[] {
    return [...this.deletingObjects.values()].map((at) => this.locate(at)!);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private locate(at: Location): Located | undefined {
    const object = this.byResource.get(at.resource)?.get(at.key);
    return object && { resource: at.resource, object };
  }

  private index(resource: string, key: string, object: KubeObject): void {
    const at = { resource, key };
    const id = `${resource}\0${key}`;
    const uid = object.metadata.uid;
    if (uid) {
      this.uids.set(uid, at);
      this.missingOwners.delete(uid);
    }
    if (object.metadata.deletionTimestamp) this.deletingObjects.set(id, at);
    for (const ref of object.metadata.ownerReferences ?? []) {
      const dependents = this.dependentsByOwner.get(ref.uid) ?? new Map<string, Location>();
      this.dependentsByOwner.set(ref.uid, dependents);
      dependents.set(id, at);
      if (!this.uids.has(ref.uid)) this.missingOwners.add(ref.uid);
    }
  }

  private unindex(resource: string, key: string, object: KubeObject): void {
    const id = `${resource}\0${key}`;
    const uid = object.metadata.uid;
    if (uid && this.uids.get(uid)?.resource === resource && this.uids.get(uid)?.key === key) {
      this.uids.delete(uid);
      if (this.dependentsByOwner.has(uid)) this.missingOwners.add(uid);
    }
    this.deletingObjects.delete(id);
    for (const ref of object.metadata.ownerReferences ?? []) {
      const dependents = this.dependentsByOwner.get(ref.uid);
      dependents?.delete(id);
      if (dependents?.size === 0) {
        this.dependentsByOwner.delete(ref.uid);
        this.missingOwners.delete(ref.uid);
      }
    }
  }

  private record(event: StoreEvent): void {
    this.history.push(event);
    if (this.history.length > this.historyLimit) {
      const dropped = this.history.splice(0, this.history.length - this.historyLimit);
      this.oldestAvailable = dropped[dropped.length - 1].rv;
    }
    for (const l of [...this.listeners]) l(event);
  }
}

function keyOf(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

/** Index of the first event with rv > target (history is sorted by rv). */
function lowerBound(events: StoreEvent[], target: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (events[mid].rv <= target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
