/**
 * What an informer keeps of each object, applied on the way in (list and watch alike), as
 * controller-runtime's cache transforms do: managed fields and kubectl's last-applied
 * annotation are dropped (no reconcile reads them, and they are a third of an object's size),
 * and so is the status of kinds whose status nothing reads. The `data` of kinds a reconcile only
 * compares is kept as a digest per key (a desired object goes through the same transform
 * before it is compared). An object whose content is only compared with what was applied, and
 * that holds exactly that, keeps its metadata and the few fields read (MATCHES_LAST_APPLY). Pure.
 */
import { hash } from 'node:crypto';
import type { KubernetesObject } from '@kubernetes/client-node';
import { SharedValues } from './shared-values.js';

export type CacheTransform = (o: KubernetesObject) => KubernetesObject;

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export interface SlimOptions {
  /** Kinds whose status a reader uses; every other kind is cached without it. */
  statusRead: ReadonlySet<string>;
  /** Kinds whose `data` no reader uses but to compare: each value is kept as its digest. */
  dataCompared?: ReadonlySet<string>;
  /**
   * Kinds whose content no reader uses but to compare with what it applied, each with the paths a
   * reader does use (`spec.replicas`). An object of these kinds that holds exactly what its last apply
   * set (`holdsLastApply`, read from its managed fields before they go) keeps only its metadata, its
   * status if read, and those paths, marked MATCHES_LAST_APPLY: comparing it is comparing what was applied.
   */
  appliedOnly?: { read: ReadonlyMap<string, readonly string[]>; holdsLastApply: (o: KubernetesObject) => boolean };
}

/** Set (true) on a cached object that held exactly what its last apply set, and whose compared content was dropped. */
export const MATCHES_LAST_APPLY = 'matchesLastApply';

/** The metadata a compacted object keeps: its identity, its version, and what owners, labels and hashes say. */
const KEPT_METADATA = ['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'labels', 'annotations', 'ownerReferences',
  'finalizers', 'deletionTimestamp'] as const;

/** What is kept of a `data` value nobody reads: a digest that is equal exactly when the values are. */
export function dataDigest(value: string): string {
  return `sha256:${hash('sha256', value, 'base64')}`;
}

/** `o` without what no reader uses; `o` itself is not changed. */
export function slimObject(o: KubernetesObject, opts: SlimOptions): KubernetesObject {
  const read = o.kind === undefined ? undefined : opts.appliedOnly?.read.get(o.kind);
  if (read && opts.appliedOnly!.holdsLastApply(o)) return compacted(o, read, opts);
  const { managedFields: _managed, ...metadata } = o.metadata ?? {};
  if (metadata.annotations && LAST_APPLIED in metadata.annotations) {
    const { [LAST_APPLIED]: _last, ...annotations } = metadata.annotations;
    metadata.annotations = annotations;
  }
  const slim: KubernetesObject & { status?: unknown } = { ...o, metadata };
  if (o.kind !== undefined && !opts.statusRead.has(o.kind)) delete slim.status;
  const { data } = o as { data?: unknown };
  if (o.kind !== undefined && opts.dataCompared?.has(o.kind) && data && typeof data === 'object') {
    (slim as { data?: Record<string, string> }).data = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, dataDigest(String(v))]));
  }
  return slim;
}

/** `o` as a compacted MATCHES_LAST_APPLY object: its kept metadata, its status if read, and the `read` paths. */
function compacted(o: KubernetesObject, read: readonly string[], opts: SlimOptions): KubernetesObject {
  const from = o.metadata as Record<string, unknown>;
  const metadata: Record<string, unknown> = {};
  for (const k of KEPT_METADATA) if (from[k] !== undefined) metadata[k] = from[k];
  const annotations = metadata.annotations as Record<string, string> | undefined;
  if (annotations && LAST_APPLIED in annotations) {
    const { [LAST_APPLIED]: _last, ...rest } = annotations;
    metadata.annotations = rest;
  }
  const out: Record<string, unknown> = { apiVersion: o.apiVersion, kind: o.kind, metadata, [MATCHES_LAST_APPLY]: true };
  const status = (o as { status?: unknown }).status;
  if (status !== undefined && opts.statusRead.has(o.kind!)) out.status = status;
  for (const path of read) copyPath(o as Record<string, unknown>, out, path.split('.'));
  return out as KubernetesObject;
}

/**
 * `slim` (made by slimObject: its top level and metadata are its own) holding the shared copy of
 * what other cached objects hold alike.
 */
function withSharedValues(slim: KubernetesObject, shared: SharedValues): KubernetesObject {
  if (slim.apiVersion !== undefined) slim.apiVersion = shared.string(slim.apiVersion);
  if (slim.kind !== undefined) slim.kind = shared.string(slim.kind);
  const m = slim.metadata;
  if (m) {
    if (m.namespace !== undefined) m.namespace = shared.string(m.namespace);
    if (m.labels !== undefined) m.labels = shared.value(m.labels);
    if (m.ownerReferences !== undefined) m.ownerReferences = shared.value(m.ownerReferences);
  }
  const { data } = slim as { data?: Record<string, unknown> };
  if (slim.kind === 'Secret' && data && typeof data === 'object') {
    (slim as { data?: Record<string, unknown> }).data = Object.fromEntries(Object.entries(data)
      .map(([k, v]) => [k, typeof v === 'string' ? shared.string(v) : v]));
  }
  return slim;
}

/** Copies the value at `path` of `from` (if there is one) into `to`, making the objects on the way. */
function copyPath(from: Record<string, unknown>, to: Record<string, unknown>, path: string[]): void {
  let source: unknown = from;
  for (const k of path) source = source && typeof source === 'object' ? (source as Record<string, unknown>)[k] : undefined;
  if (source === undefined) return;
  let target = to;
  for (const k of path.slice(0, -1)) target = (target[k] ??= {}) as Record<string, unknown>;
  target[path[path.length - 1]] = source;
}

/**
 * slimObject, remembering the last `remember` objects it made by uid and resourceVersion: the same
 * version seen twice (a write's response, then its watch event) is slimmed once and kept as one copy.
 */
export function slimTransform(opts: SlimOptions, remember = 1024): CacheTransform {
  const recent = new Map<string, KubernetesObject>();
  const shared = new SharedValues();
  return (o) => {
    const { uid, resourceVersion } = o.metadata ?? {};
    if (uid === undefined || resourceVersion === undefined) return withSharedValues(slimObject(o, opts), shared);
    const key = `${uid}/${resourceVersion}`;
    const kept = recent.get(key);
    if (kept) return kept;
    const slim = withSharedValues(slimObject(o, opts), shared);
    recent.set(key, slim);
    if (recent.size > remember) recent.delete(recent.keys().next().value!);
    return slim;
  };
}
