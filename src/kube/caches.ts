/** Informers of the given kinds, per watched namespace (or cluster-wide), read as one cache. */
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { Timings } from '../timings.js';
import type { KubeClient } from './client.js';
import { Informer, type InformerEvent } from './informer.js';
import type { ResourceType } from './resource-type.js';
import type { CacheTransform } from './cache-transform.js';
import { OwnerIndex } from './owner-index.js';

export interface CachesOptions {
  /** `namespaces` empty: watch the whole cluster. */
  namespaces: readonly string[];
  watchRetry?: Timings['watchRetry'];
  /** What is kept of each object (src/kube/cache-transform.ts); undefined: all of it. */
  transform?: CacheTransform;
}

export class Caches {
  private readonly informers = new Map<string, Informer[]>();
  private readonly owners = new OwnerIndex();

  constructor(kc: KubeConfig, client: KubeClient, types: readonly ResourceType[], clock: Clock, log: Logger, opts: CachesOptions) {
    const scopes = opts.namespaces.length > 0 ? opts.namespaces : [undefined];
    const informerOpts = { watchRetry: opts.watchRetry, transform: opts.transform };
    for (const t of types) this.informers.set(t.kind, scopes.map((ns) => new Informer(kc, client, t, ns, clock, log, informerOpts)));
    // Registered first, so every other handler already finds the object in the index.
    for (const i of [...this.informers.values()].flat()) {
      i.on((type, o) => (type === 'delete' ? this.owners.delete(o) : this.owners.set(o)));
    }
  }

  /** Every cached object whose controlling owner has `uid`. */
  owned<T = KubernetesObject>(uid: string): T[] {
    return this.owners.owned(uid) as unknown as T[];
  }

  /** Every add, update and delete of the objects of `kinds`. */
  on<T = KubernetesObject>(kinds: readonly ResourceType[], handler: (type: InformerEvent, obj: T) => void): void {
    for (const t of kinds) for (const i of this.informers.get(t.kind) ?? []) i.on((type, o) => handler(type, o as unknown as T));
  }

  async start(): Promise<void> {
    await Promise.all([...this.informers.values()].flat().map((i) => i.start()));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.informers.values()].flat().map((i) => i.stop()));
  }

  hasSynced(): boolean {
    return [...this.informers.values()].flat().every((i) => i.hasSynced());
  }

  get<T = KubernetesObject>(kind: string, namespace: string, name: string): T | undefined {
    for (const i of this.scoped(kind, namespace)) {
      const o = i.get(namespace, name);
      if (o) return o as T;
    }
    return undefined;
  }

  /** Every cached object of `kind`, in `namespace` or everywhere. */
  list<T = KubernetesObject>(kind: string, namespace?: string): T[] {
    return this.scoped(kind, namespace).flatMap((i) => i.list(namespace) as unknown as T[]);
  }

  private scoped(kind: string, namespace: string | undefined): Informer[] {
    const all = this.informers.get(kind) ?? [];
    return namespace === undefined ? all : all.filter((i) => i.namespace === undefined || i.namespace === namespace);
  }
}
