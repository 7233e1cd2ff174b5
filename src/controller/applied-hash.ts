/**
 * A hash of what the operator applies, stamped on each child. A field taken out of the desired
 * object changes the hash, so the child is applied again and the server removes the field: the
 * cache needs no managed fields to find that out. Secret values are left out of the hash (their
 * keys are in): a changed value is seen by comparing the data itself. Pure.
 */
import { createHash } from 'node:crypto';
import { ANNOTATION_APPLIED_HASH } from '../api/labels.js';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { KubeObject } from '../render/object.js';
import { appliedFields } from '../kube/managed-fields.js';

/**
 * JSON with object keys sorted, so the hash does not depend on the order a renderer wrote them in.
 * Built in one string, without the arrays of entries (it runs on 23 children every reconcile).
 */
function canonical(v: unknown): string {
  if (typeof v !== 'object' || v === null) return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) out += (i > 0 ? ',' : '') + canonical(v[i]);
    return `${out}]`;
  }
  let out = '{';
  for (const k of Object.keys(v).sort()) {
    const x = (v as Record<string, unknown>)[k];
    if (x !== undefined) out += `${out.length > 1 ? ',' : ''}${JSON.stringify(k)}:${canonical(x)}`;
  }
  return `${out}}`;
}

function withoutSecretValues(obj: KubeObject): KubeObject {
  if (obj.kind !== 'Secret') return obj;
  const keysOnly = (m: unknown) => (m && typeof m === 'object' ? Object.keys(m).sort() : undefined);
  return { ...obj, data: keysOnly(obj.data), stringData: keysOnly(obj.stringData) };
}

export function appliedHash(obj: KubeObject): string {
  return createHash('sha256').update(canonical(withoutSecretValues(obj))).digest('hex').slice(0, 32);
}

/** `obj` carrying the hash of itself (computed without the annotation). */
export function withAppliedHash(obj: KubeObject): KubeObject {
  const { [ANNOTATION_APPLIED_HASH]: _old, ...annotations } = obj.metadata.annotations ?? {};
  const { annotations: _all, ...meta } = obj.metadata;
  const plain = { ...obj, metadata: Object.keys(annotations).length > 0 ? { ...meta, annotations } : meta };
  return { ...plain, metadata: { ...plain.metadata, annotations: { ...annotations, [ANNOTATION_APPLIED_HASH]: appliedHash(plain) } } };
}

/**
 * Does `live` hold exactly what its last apply set? The fields `manager` applied, with the values
 * they have now, must hash to the hash that apply stamped (a field changed or taken over by someone
 * else, or not found where the apply put it, fails). Never for a Secret: its hash leaves the values out.
 */
export function holdsLastApply(live: KubernetesObject, manager: string): boolean {
  const stamped = live.metadata?.annotations?.[ANNOTATION_APPLIED_HASH];
  if (stamped === undefined || live.kind === 'Secret') return false;
  const fields = appliedFields(live, manager);
  if (!fields) return false;
  return withAppliedHash(fields as unknown as KubeObject).metadata.annotations?.[ANNOTATION_APPLIED_HASH] === stamped;
}
