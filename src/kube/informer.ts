/**
 * A watched cache of one kind in one namespace (or cluster-wide): client-node's ListWatch, plus
 * what it lacks for an operator — a restart with backoff after errors, a synced flag, and
 * request counting.
 */
import { ListWatch, Watch, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from '../log.js';
import type { Clock, Timer } from '../clock.js';
import { DEFAULT_TIMINGS, type Timings } from '../timings.js';
import type { KubeClient } from './client.js';
import { resourcePath, type ResourceType } from './resource-type.js';
import type { CacheTransform } from './cache-transform.js';

export type InformerEvent = 'add' | 'update' | 'delete';

export interface InformerOptions {
  watchRetry?: Timings['watchRetry'];
  /** What is kept of each object, listed or watched (src/kube/cache-transform.ts). */
  transform?: CacheTransform;
}

/** A Watch whose events carry the transformed object, so the ListWatch stores only that. */
function transformingWatch<T>(watch: Watch, transform: (o: T) => T): Watch {
  const wrapped = Object.create(watch) as Watch;
  wrapped.watch = (path, params, callback, done) =>
    watch.watch(path, params, (phase, obj, raw) => callback(phase, phase === 'ERROR' || phase === 'BOOKMARK' ? obj : transform(obj as T), raw), done);
  return wrapped;
}

export class Informer<T extends KubernetesObject = KubernetesObject> {
  private readonly lw: ListWatch<T>;
  private synced = false;
  private stopped = false;
  private failures = 0;
  private retry: Timer | undefined;
  private readonly handlers: ((type: InformerEvent, obj: T) => void)[] = [];
  private readonly backoff: Timings['watchRetry'];

  constructor(kc: KubeConfig, client: KubeClient, readonly type: ResourceType, readonly namespace: string | undefined,
    private readonly clock: Clock, private readonly log: Logger, opts: InformerOptions = {}) {
    this.backoff = opts.watchRetry ?? DEFAULT_TIMINGS.watchRetry;
    const transform = (opts.transform ?? ((o: KubernetesObject) => o)) as unknown as (o: T) => T;
    const list = async () => {
      const result = await client.list<T>(type, namespace);
      this.synced = true;
      this.failures = 0;
      return { ...result, items: result.items.map(transform) } as unknown as { items: T[]; metadata: { resourceVersion?: string } };
    };
    this.lw = new ListWatch<T>(resourcePath(type, namespace), transformingWatch(new Watch(kc), transform), list as never, false);
    this.lw.on('connect', () => client.count('watch'));
    this.lw.on('add', (o) => this.emit('add', o));
    this.lw.on('update', (o) => this.emit('update', o));
    this.lw.on('delete', (o) => this.emit('delete', o));
    this.lw.on('error', (err) => this.restartLater(err));
  }

  on(handler: (type: InformerEvent, obj: T) => void): void {
    this.handlers.push(handler);
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.lw.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.retry?.cancel();
    await this.lw.stop();
  }

  hasSynced(): boolean {
    return this.synced;
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.lw.get(name, namespace);
  }

  list(namespace?: string): readonly T[] {
    return this.lw.list(namespace);
  }

  private emit(type: InformerEvent, obj: T): void {
    this.failures = 0;
    for (const h of this.handlers) h(type, obj);
  }

  /** ListWatch stops on any error but 410; come back later, backing off while it keeps failing. */
  private restartLater(err: unknown): void {
    if (this.stopped) return;
    const delay = Math.min(this.backoff.maxMs, this.backoff.minMs * 2 ** this.failures++);
    this.log.warn('watch failed, restarting', { resource: this.type.plural, namespace: this.namespace ?? '', delayMs: delay,
      error: err instanceof Error ? err.message : String(err) });
    this.retry?.cancel();
    this.retry = this.clock.after(delay, () => {
      if (!this.stopped) void this.lw.start();
    });
  }
}
