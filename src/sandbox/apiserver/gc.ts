/**
 * Garbage-collection decisions, as kube's garbage collector and namespace controller make
 * them, from a snapshot of all objects: pure, so the cases are table-tested.
 */
import type { KubeObject } from './types.js';

export interface StoredRef {
  resource: string;
  object: KubeObject;
}

export type GcAction =
  /** Delete a dependent whose owners are all gone (or being foreground-deleted), or an object of a terminating namespace. */
  | { kind: 'delete'; target: StoredRef; why: string }
  /** Drop owner references that point at objects that no longer exist (other owners remain). */
  | { kind: 'dropOwnerRefs'; target: StoredRef; uids: string[] }
  /** Finish a foreground/orphan deletion or a namespace's termination by removing its finalizer. */
  | { kind: 'removeFinalizer'; target: StoredRef; finalizer: string };

export const FOREGROUND = 'foregroundDeletion';
export const ORPHAN = 'orphan';
export const NAMESPACE_FINALIZER = 'kubernetes';
export const CRD_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';
const CRDS = 'apiextensions.k8s.io/customresourcedefinitions';

export function planGarbageCollection(all: StoredRef[]): GcAction[] {
  const byUid = new Map<string, StoredRef>();
  for (const r of all) if (r.object.metadata.uid) byUid.set(r.object.metadata.uid, r);
  const dependents = new Map<string, StoredRef[]>();
  for (const r of all) {
    for (const ref of r.object.metadata.ownerReferences ?? []) {
      const list = dependents.get(ref.uid) ?? [];
      list.push(r);
      dependents.set(ref.uid, list);
    }
  }
  const actions: GcAction[] = [];
  for (const r of all) {
    const refs = r.object.metadata.ownerReferences ?? [];
    if (refs.length && !r.object.metadata.deletionTimestamp) {
      const missing = refs.filter((ref) => !byUid.has(ref.uid)).map((ref) => ref.uid);
      const foregroundOwner = refs.find((ref) => byUid.get(ref.uid)?.object.metadata.finalizers?.includes(FOREGROUND) && byUid.get(ref.uid)?.object.metadata.deletionTimestamp);
      if (missing.length === refs.length) {
        actions.push({ kind: 'delete', target: r, why: 'all owners are gone' });
      } else if (foregroundOwner && refs.every((ref) => !byUid.has(ref.uid) || isDeleting(byUid.get(ref.uid)!))) {
        actions.push({ kind: 'delete', target: r, why: `owner ${foregroundOwner.kind}/${foregroundOwner.name} is being deleted in the foreground` });
      } else if (missing.length || foregroundOwner) {
        // Other owners still hold it: it only stops pointing at the missing (or foreground-deleted) ones.
        actions.push({ kind: 'dropOwnerRefs', target: r, uids: foregroundOwner ? [...missing, foregroundOwner.uid] : missing });
      }
    }
    const meta = r.object.metadata;
    if (!meta.deletionTimestamp) continue;
    const deps = dependents.get(meta.uid ?? '') ?? [];
    if (meta.finalizers?.includes(ORPHAN)) {
      for (const d of deps) actions.push({ kind: 'dropOwnerRefs', target: d, uids: [meta.uid!] });
      actions.push({ kind: 'removeFinalizer', target: r, finalizer: ORPHAN });
    } else if (meta.finalizers?.includes(FOREGROUND)) {
      const blocking = deps.filter((d) => d.object.metadata.ownerReferences?.some((ref) => ref.uid === meta.uid && ref.blockOwnerDeletion));
      if (!blocking.length) actions.push({ kind: 'removeFinalizer', target: r, finalizer: FOREGROUND });
    }
  }
  actions.push(...planNamespaceTermination(all), ...planCrdCleanup(all));
  return actions;
}

function isDeleting(r: StoredRef): boolean {
  return Boolean(r.object.metadata.deletionTimestamp);
}

/** A deleted CRD first deletes its objects (their finalizers run), then goes itself. */
function planCrdCleanup(all: StoredRef[]): GcAction[] {
  const actions: GcAction[] = [];
  for (const crd of all) {
    if (crd.resource !== CRDS || !crd.object.metadata.deletionTimestamp || !crd.object.metadata.finalizers?.includes(CRD_FINALIZER)) continue;
    const spec = (crd.object.spec ?? {}) as { group?: string; names?: { plural?: string } };
    const key = `${spec.group ?? ''}/${spec.names?.plural ?? ''}`;
    const objects = all.filter((r) => r.resource === key);
    for (const o of objects) if (!o.object.metadata.deletionTimestamp) actions.push({ kind: 'delete', target: o, why: `its CustomResourceDefinition ${crd.object.metadata.name} is being deleted` });
    if (!objects.length) actions.push({ kind: 'removeFinalizer', target: crd, finalizer: CRD_FINALIZER });
  }
  return actions;
}

function planNamespaceTermination(all: StoredRef[]): GcAction[] {
  const actions: GcAction[] = [];
  for (const ns of all) {
    if (ns.resource !== '/namespaces' || !ns.object.metadata.deletionTimestamp) continue;
    const name = ns.object.metadata.name;
    const contents = all.filter((r) => r.object.metadata.namespace === name);
    for (const c of contents) if (!c.object.metadata.deletionTimestamp) actions.push({ kind: 'delete', target: c, why: `namespace ${name} is terminating` });
    const specFinalizers = ((ns.object.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []);
    if (!contents.length && specFinalizers.includes(NAMESPACE_FINALIZER)) {
      actions.push({ kind: 'removeFinalizer', target: ns, finalizer: NAMESPACE_FINALIZER });
    }
  }
  return actions;
}
