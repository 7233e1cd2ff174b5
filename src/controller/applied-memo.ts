/**
 * What we applied, until the cache catches up. A reconcile woken by one child's watch event may
 * run before the watch of another child we just wrote has delivered; without this memo it would
 * see the old object and apply the same thing again.
 */
import type { KubeObj } from '../kube/client.js';

interface Entry {
  /** resourceVersion of the cached object when we applied ('' if there was none). */
  staleVersion: string;
  applied: KubeObj;
}

export class AppliedMemo {
  private readonly entries = new Map<string, Entry>();

  remember(key: string, cachedBefore: KubeObj | undefined, applied: KubeObj): void {
    this.entries.set(key, { staleVersion: String(cachedBefore?.metadata.resourceVersion ?? ''), applied });
  }

  /** The freshest view of an object: the cached one, unless it is still the version we replaced. */
  freshest(key: string, cached: KubeObj | undefined): KubeObj | undefined {
    const e = this.entries.get(key);
    if (!e) return cached;
    if (this.settle(key, cached)) return cached;
    return e.applied;
  }

  /**
   * The cache now holds `cached`: the entry goes once that is not the version we replaced (called
   * from the watch, so that the copy is not kept until the stack's next reconcile). True when gone.
   */
  settle(key: string, cached: KubeObj | undefined): boolean {
    const e = this.entries.get(key);
    if (!e) return true;
    if (String(cached?.metadata.resourceVersion ?? '') === e.staleVersion) return false;
    this.entries.delete(key);
    return true;
  }

  forgetPrefix(prefix: string): void {
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }
}
