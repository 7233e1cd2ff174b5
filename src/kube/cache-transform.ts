/**
 * What an informer keeps of each object, applied on the way in (list and watch alike), as
 * controller-runtime's cache transforms do: managed fields and kubectl's last-applied
 * annotation are dropped (no reconcile reads them, and they are a third of an object's size),
 * and so is the status of kinds whose status nothing reads. The `data` of kinds a reconcile only
 * compares is kept as a digest per key (a desired object goes through the same transform
 * before it is compared). Pure.
 */
import { createHash } from 'node:crypto';
import type { KubernetesObject } from '@kubernetes/client-node';

export type CacheTransform = (o: KubernetesObject) => KubernetesObject;

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export interface SlimOptions {
  /** Kinds whose status a reader uses; every other kind is cached without it. */
  statusRead: ReadonlySet<string>;
  /** Kinds whose `data` no reader uses but to compare: each value is kept as its digest. */
  dataCompared?: ReadonlySet<string>;
}

/** What is kept of a `data` value nobody reads: a digest that is equal exactly when the values are. */
export function dataDigest(value: string): string {
  return `sha256:${createHash('sha256').update(value).digest('base64')}`;
}

/** `o` without what no reader uses; `o` itself is not changed. */
export function slimObject(o: KubernetesObject, opts: SlimOptions): KubernetesObject {
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

export function slimTransform(opts: SlimOptions): CacheTransform {
  return (o) => slimObject(o, opts);
}
