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

function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

export class ObjectStore {
  private readonly byResource = new Map<string, Map<string, KubeObject>>();
  private readonly history: StoreEvent[] = [];
  private readonly listeners = new Set<Listener>();
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
    map.set(key, stored);
    this.record({ type: previous ? 'MODIFIED' : 'ADDED', resource, object: stored, previous, rv: this.rv });
    return stored;
  }

  remove(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const map = this.byResource.get(resource);
    const key = objectKey(namespace, name);
    const previous = map?.get(key);
    if (!map || !previous) return undefined;
    map.delete(key);
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

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
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
