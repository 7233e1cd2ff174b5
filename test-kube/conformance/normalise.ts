/**
 * What legitimately differs between two API servers answering the same request, removed before
 * comparing. Pure. Every exclusion says why it is not a difference.
 */

type Json = unknown;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Metadata the server makes up per object: identity, versions, clocks. */
const VOLATILE_METADATA = [
  'uid', // random per object
  'resourceVersion', // opaque, each server counts its own writes
  'creationTimestamp', // a clock reading
  'deletionTimestamp', // a clock reading
];

/** Replaces what a server makes up on every write with placeholders, keeping the shape. */
export function stableObject(value: Json): Json {
  if (Array.isArray(value)) return value.map(stableObject);
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === 'metadata' && isObject(v)) out[k] = stableMetadata(v);
    else out[k] = stableObject(v);
  }
  return out;
}

function stableMetadata(meta: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(meta)) {
    if (VOLATILE_METADATA.includes(k)) out[k] = '<volatile>';
    else if (k === 'managedFields' && Array.isArray(v)) out[k] = v.map((m) => (isObject(m) ? { ...m, time: '<time>' } : m));
    // The random suffix of a generated name differs; that one was generated is what counts.
    else if (k === 'name' && typeof meta.generateName === 'string' && typeof v === 'string' && v.startsWith(meta.generateName)) out[k] = `${meta.generateName}<suffix>`;
    else out[k] = stableObject(v);
  }
  return out;
}

/** Addresses and ports a server allocates from its own ranges: that one was allocated is what counts. */
export function stableAllocations(obj: Json): Json {
  if (!isObject(obj) || !isObject(obj.spec)) return obj;
  const spec = { ...obj.spec };
  const allocated = (v: unknown): unknown => (typeof v === 'string' && v !== 'None' ? '<allocated>' : v);
  if ('clusterIP' in spec) spec.clusterIP = allocated(spec.clusterIP);
  if (Array.isArray(spec.clusterIPs)) spec.clusterIPs = spec.clusterIPs.map(allocated);
  if (Array.isArray(spec.ports)) spec.ports = spec.ports.map((p) => (isObject(p) && typeof p.nodePort === 'number' ? { ...p, nodePort: '<allocated>' } : p));
  if (typeof spec.healthCheckNodePort === 'number') spec.healthCheckNodePort = '<allocated>';
  return { ...obj, spec };
}

/** A Job's selector and template labels carry its uid, which is random. */
export function stableJob(obj: Json): Json {
  const text = JSON.stringify(obj);
  const uid = isObject(obj) && isObject(obj.metadata) ? obj.metadata.uid : undefined;
  return typeof uid === 'string' ? (JSON.parse(text.split(uid).join('<job-uid>')) as Json) : obj;
}

/** Ages and durations in kubectl's tables (AGE, and "Xs" in messages) are clock readings. */
export function stableText(text: string): string {
  return text
    .replace(/\b\d+(\.\d+)?(ms|s|m|h|d)(\d+(s|m|h))?\b/g, '<age>')
    .replace(/ +/g, ' ')
    .trim();
}

/** Parses JSON output (kubectl prints one document after another for multi-document input: those become a list); text that is not JSON stays text. */
export function parsed(text: string): Json {
  for (const candidate of [text, `[${text.replace(/\}\n\{/g, '},{')}]`]) {
    try {
      return JSON.parse(candidate) as Json;
    } catch {
      // try the next reading
    }
  }
  return text;
}

/** Pulls the values at the given dotted paths, so an operation compares only what it is about. */
export function pick(value: Json, paths: string[]): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const p of paths) out[p] = p.split('.').reduce<Json>((cur, k) => (isObject(cur) ? cur[k] : Array.isArray(cur) ? cur[Number(k)] : undefined), value);
  return out;
}

/** The first line of an error message: the reason kubectl prints, without server-specific detail after it. */
export function firstLine(text: string): string {
  return text.split('\n').find((l) => l.trim() && !l.startsWith('Warning:'))?.trim() ?? '';
}
