/**
 * Does a live object already hold what we would apply? A semantic comparison of the fields we
 * set (the desired object) against the live one, ignoring everything the server or other
 * controllers add. Steady state must make zero writes, so this decides every apply.
 */

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

function sameScalar(a: Json, b: Json): boolean {
  return a === b || ((typeof a === 'number' || typeof a === 'string') && (typeof b === 'number' || typeof b === 'string') && String(a) === String(b));
}

function deepEqual(a: Json, b: Json): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => deepEqual(a[k], b[k]));
  }
  return sameScalar(a, b);
}

/**
 * A field that `manager`'s last apply owns (metadata.managedFields, FieldsV1) and `desired` no
 * longer sets, or undefined. Applying `desired` again makes the server remove it: that is how a
 * field taken out of the spec (resources, source ranges...) leaves the child. The set is read
 * from the keys FieldsV1 spells (`f:` fields, `k:` list keys, `v:` set values, `i:` indexes),
 * so no schema is needed.
 */
export function removedManagedField(fields: Json, desired: Json, path = ''): string | undefined {
  if (!isObject(fields)) return undefined;
  for (const [key, sub] of Object.entries(fields)) {
    if (key === '.') continue;
    const kind = key.slice(0, 2);
    const rest = key.slice(2);
    let next: Json;
    let at: string;
    if (kind === 'f:') {
      at = path ? `${path}.${rest}` : rest;
      next = isObject(desired) ? desired[rest] : undefined;
      if (next === undefined || next === null) return at;
    } else if (kind === 'k:' || kind === 'v:' || kind === 'i:') {
      at = `${path}[${rest}]`;
      if (!Array.isArray(desired)) return at;
      let parsed: Json;
      try {
        parsed = JSON.parse(rest);
      } catch {
        return at;
      }
      if (kind === 'k:') {
        const wanted = isObject(parsed) ? Object.entries(parsed) : [];
        next = desired.find((item) => isObject(item) && wanted.every(([k, v]) => sameScalar(item[k], v)));
      } else if (kind === 'v:') {
        next = desired.find((item) => deepEqual(item, parsed));
      } else {
        next = desired[Number(parsed)];
      }
      if (next === undefined) return at;
    } else {
      continue;
    }
    const inner = removedManagedField(sub, next, at);
    if (inner) return inner;
  }
  return undefined;
}

interface ManagedFieldsEntry { manager?: string; operation?: string; subresource?: string; fieldsV1?: Json }

/** Why `desired` must be applied (a reason for the log), or undefined when live already matches. */
export function applyReason(desired: Record<string, Json>, live: Record<string, Json> | undefined, manager?: string): string | undefined {
  if (!live) return 'does not exist';
  const want = comparable(desired);
  const uids = new Set((want.metadata as { ownerReferences: Json[] }).ownerReferences.map((r) => isObject(r) && r.uid));
  const differs = firstDifference(want, comparable(live, uids));
  if (differs || manager === undefined) return differs;
  const meta = isObject(live.metadata) ? live.metadata : {};
  const entries = (Array.isArray(meta.managedFields) ? meta.managedFields : []) as ManagedFieldsEntry[];
  const ours = entries.find((e) => e.manager === manager && e.operation === 'Apply' && !e.subresource);
  const removed = ours ? removedManagedField(ours.fieldsV1, desired) : undefined;
  return removed ? `${removed}: no longer set` : undefined;
}
