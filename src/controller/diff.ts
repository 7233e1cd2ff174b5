/**
 * Does a live object already hold what we would apply? A semantic comparison of the fields we
 * set (the desired object) against the live one, ignoring everything the server or other
 * controllers add. Steady state must make zero writes, so this decides every apply.
 */

import { ANNOTATION_APPLIED_HASH } from '../api/labels.js';
import { MATCHES_LAST_APPLY } from '../kube/cache-transform.js';

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isEmpty(v: Json): boolean {
  return v === undefined || v === null || (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);
}

/**
 * Why `live` differs from `desired` at `path`, or undefined when every field of `desired` is
 * present in `live` with the same value. Objects: desired keys only (extra live keys are
 * defaults or someone else's). Arrays: same length, element-wise. Empty desired values match
 * an absent live field, since the server drops them.
 */
export function firstDifference(desired: Json, live: Json, path = ''): string | undefined {
  if (isEmpty(desired) && isEmpty(live)) return undefined;
  if (isObject(desired)) {
    if (!isObject(live)) return `${path || '.'}: missing`;
    for (const [k, v] of Object.entries(desired)) {
      const d = firstDifference(v, live[k], path ? `${path}.${k}` : k);
      if (d) return d;
    }
    return undefined;
  }
  if (Array.isArray(desired)) {
    if (!Array.isArray(live)) return `${path}: missing`;
    if (live.length !== desired.length) return `${path}: ${live.length} items, want ${desired.length}`;
    for (let i = 0; i < desired.length; i++) {
      const d = firstDifference(desired[i], live[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (desired === live) return undefined;
  // Quantities and ports may come back as a number or its string form.
  if ((typeof desired === 'number' || typeof desired === 'string') && (typeof live === 'number' || typeof live === 'string')
    && String(desired) === String(live)) return undefined;
  return `${path}: ${live === undefined ? 'missing' : 'differs'}`;
}

/**
 * The parts we compare: spec-like fields and our labels, annotations and owner references.
 * Owner references are a list keyed by uid on the server, so others' entries are left out.
 */
function comparable(o: Record<string, Json>, ownerUids?: Set<unknown>): Record<string, Json> {
  const { status: _status, apiVersion: _a, kind: _k, ...rest } = o;
  const meta = isObject(o.metadata) ? o.metadata : {};
  const refs = Array.isArray(meta.ownerReferences) ? meta.ownerReferences : [];
  // Labels and annotations we set none of are the server's or others' (a Deployment's revision).
  return {
    ...rest,
    metadata: {
      ...(meta.labels === undefined ? {} : { labels: meta.labels }),
      ...(meta.annotations === undefined ? {} : { annotations: meta.annotations }),
      ownerReferences: ownerUids ? refs.filter((r) => isObject(r) && ownerUids.has(r.uid)) : refs,
    },
  };
}

/** The reason for an object cached without its content when the desired object's hash is not the one it holds. */
export const CHANGED_SINCE_LAST_APPLY = 'the desired object changed since the last apply';

/** Why `desired` must be applied (a reason for the log), or undefined when live already matches. */
export function applyReason(desired: Record<string, Json>, live: Record<string, Json> | undefined): string | undefined {
  if (!live) return 'does not exist';
  const annotations = (o: Record<string, Json>) => (isObject(o.metadata) && isObject(o.metadata.annotations) ? o.metadata.annotations : {});
  const wantHash = annotations(desired)[ANNOTATION_APPLIED_HASH];
  // Cached without its content: it holds exactly what the apply stamped with its hash set.
  if (live[MATCHES_LAST_APPLY] === true) {
    return wantHash !== undefined && annotations(live)[ANNOTATION_APPLIED_HASH] === wantHash ? undefined : CHANGED_SINCE_LAST_APPLY;
  }
  const { [ANNOTATION_APPLIED_HASH]: _hash, ...wantAnnotations } = annotations(desired);
  const plain = { ...desired, metadata: { ...(desired.metadata as object), annotations: wantAnnotations } };
  const want = comparable(plain);
  const uids = new Set((want.metadata as { ownerReferences: Json[] }).ownerReferences.map((r) => isObject(r) && r.uid));
  const differs = firstDifference(want, comparable(live, uids));
  if (differs) return differs;
  // Every field we set is there; a different hash means the last apply set one we no longer want.
  const liveHash = annotations(live)[ANNOTATION_APPLIED_HASH];
  if (wantHash !== undefined && liveHash !== wantHash) {
    return liveHash === undefined ? `metadata.annotations.${ANNOTATION_APPLIED_HASH}: missing` : 'a field of the last apply is no longer set';
  }
  return undefined;
}
