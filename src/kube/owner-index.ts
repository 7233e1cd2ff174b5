/**
 * Cached objects by the uid of their controlling owner: a reconcile finds its children in the
 * index instead of scanning every object of every owned kind in the namespace.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { KeyedIndex } from './keyed-index.js';

function identity(o: KubernetesObject): string {
  return `${o.kind ?? ''}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
}

function controllerUid(o: KubernetesObject): string | undefined {
  return o.metadata?.ownerReferences?.find((r) => r.controller === true)?.uid;
}

export class OwnerIndex {
  private readonly index = new KeyedIndex<KubernetesObject>();

  /** An added or updated object; a changed owner reference moves it. */
  set(o: KubernetesObject): void {
    const uid = controllerUid(o);
    this.index.set(identity(o), uid === undefined ? [] : [uid], o);
  }

  delete(o: KubernetesObject): void {
    this.index.delete(identity(o));
  }

  /** Every indexed object whose controller is `ownerUid`. */
  owned(ownerUid: string): KubernetesObject[] {
    return this.index.get(ownerUid);
  }
}
