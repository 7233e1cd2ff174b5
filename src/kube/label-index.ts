/**
 * Cached objects by the value of one label, per namespace: a stack's database manager finds its
 * pods among thousands without scanning them on every tick. A relabelled object moves.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { KeyedIndex } from './keyed-index.js';

export class LabelIndex<T extends KubernetesObject = KubernetesObject> {
  private readonly index = new KeyedIndex<T>();

  constructor(private readonly label: string) {}

  /** An added or updated object. */
  set(o: T): void {
    const value = o.metadata?.labels?.[this.label];
    this.index.set(idOf(o), value === undefined ? [] : [`${o.metadata?.namespace ?? ''}/${value}`], o);
  }

  delete(o: T): void {
    this.index.delete(idOf(o));
  }

  /** Every object in `namespace` whose label has `value`. */
  get(namespace: string, value: string): T[] {
    return this.index.get(`${namespace}/${value}`);
  }
}

function idOf(o: KubernetesObject): string {
  return `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
}
