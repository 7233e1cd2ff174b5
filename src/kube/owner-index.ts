/**
 * Cached objects by the uid of their controlling owner: a reconcile finds its children in the
 * index instead of scanning every object of every owned kind in the namespace.
 */
import type { KubernetesObject } from '@kubernetes/client-node';

function identity(o: KubernetesObject): string {
  return `${o.kind ?? ''}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
}

function controllerUid(o: KubernetesObject): string | undefined {
  return o.metadata?.ownerReferences?.find((r) => r.controller === true)?.uid;
}

export class OwnerIndex {
  private readonly byOwner = new Map<string, Map<string, KubernetesObject>>();
  /** Object identity to the owner it was indexed under, so a changed owner reference moves it. */
  private readonly ownerOf = new Map<string, string>();

  /** An added or updated object. */
  set(o: KubernetesObject): void {
    const id = identity(o);
    const uid = controllerUid(o);
    const before = this.ownerOf.get(id);
    if (before !== undefined && before !== uid) this.drop(before, id);
    if (uid === undefined) return;
    let owned = this.byOwner.get(uid);
    if (!owned) this.byOwner.set(uid, owned = new Map());
    owned.set(id, o);
    this.ownerOf.set(id, uid);
  }

  delete(o: KubernetesObject): void {
    const id = identity(o);
    const uid = this.ownerOf.get(id);
    if (uid !== undefined) this.drop(uid, id);
  }

  /** Every indexed object whose controller is `ownerUid`. */
  owned(ownerUid: string): KubernetesObject[] {
    return [...(this.byOwner.get(ownerUid)?.values() ?? [])];
  }

  private drop(uid: string, id: string): void {
    const owned = this.byOwner.get(uid);
    owned?.delete(id);
    if (owned?.size === 0) this.byOwner.delete(uid);
    this.ownerOf.delete(id);
  }
}
