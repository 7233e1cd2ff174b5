/**
 * Cached objects by the value of one label, per namespace: a stack's database manager finds its
 * pods among thousands without scanning them on every tick. A relabelled object moves.
 */
import type { KubernetesObject } from '@kubernetes/client-node';

export class LabelIndex<T extends KubernetesObject = KubernetesObject> {
  private readonly byValue = new Map<string, Map<string, T>>();
  /** Object (namespace/name) to the index key it is filed under. */
  private readonly filedAt = new Map<string, string>();

  constructor(private readonly label: string) {}

  /** An added or updated object. */
  set(o: T): void {
    const id = `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
    const value = o.metadata?.labels?.[this.label];
    const key = value === undefined ? undefined : `${o.metadata?.namespace ?? ''}/${value}`;
    const before = this.filedAt.get(id);
    if (before !== undefined && before !== key) this.drop(before, id);
    if (key === undefined) return;
    let objects = this.byValue.get(key);
    if (!objects) this.byValue.set(key, objects = new Map());
    objects.set(id, o);
    this.filedAt.set(id, key);
  }

  delete(o: T): void {
    const id = `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
    const key = this.filedAt.get(id);
    if (key !== undefined) this.drop(key, id);
  }

  /** Every object in `namespace` whose label has `value`. */
  get(namespace: string, value: string): T[] {
    return [...(this.byValue.get(`${namespace}/${value}`)?.values() ?? [])];
  }

  private drop(key: string, id: string): void {
    const objects = this.byValue.get(key);
    objects?.delete(id);
    if (objects?.size === 0) this.byValue.delete(key);
    this.filedAt.delete(id);
  }
}
