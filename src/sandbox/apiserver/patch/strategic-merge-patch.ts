/**
 * Strategic merge patch for built-in kinds: like a merge patch, but lists with a merge key
 * (containers by name, ports by port...) merge item by item, and the $patch,
 * $deleteFromPrimitiveList, $setElementOrder and $retainKeys directives kubectl sends are honoured.
 */
import { badRequest } from '../errors.js';
import type { Shape } from '../shape.js';
import { clone, deepEqual, isObject } from '../types.js';

export function strategicMergePatch(target: unknown, patch: unknown, shape: Shape): unknown {
  if (!isObject(patch)) return clone(patch);
  if (patch.$patch === 'replace') {
    const { $patch: _, ...rest } = patch;
    return clone(rest);
  }
  if (patch.$patch === 'delete') return undefined;
  const result = isObject(target) ? clone(target) : {};
  let retainKeys: unknown[] | undefined;
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch') continue;
    if (key === '$retainKeys') {
      retainKeys = Array.isArray(value) ? value : undefined;
      continue;
    }
    if (key.startsWith('$setElementOrder/')) continue;
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      const current = result[field];
      if (Array.isArray(current) && Array.isArray(value)) {
        result[field] = current.filter((v) => !value.some((d) => deepEqual(d, v)));
      }
      continue;
    }
    if (value === null) {
      delete result[key];
    } else if (Array.isArray(value)) {
      result[key] = mergeList(result[key], value, shape.child(key), key);
    } else if (isObject(value)) {
      const merged = shape.child(key).atomicMap() ? clone(value) : strategicMergePatch(result[key], value, shape.child(key));
      if (merged === undefined) delete result[key];
      else result[key] = merged;
    } else {
      result[key] = value;
    }
  }
  if (retainKeys) for (const key of Object.keys(result)) if (!retainKeys.includes(key)) delete result[key];
  return result;
}

function mergeList(current: unknown, patch: unknown[], shape: Shape, field: string): unknown[] {
  const list = shape.listType([...(Array.isArray(current) ? current : []), ...patch]);
  if (patch.some((p) => isObject(p) && p.$patch === 'replace')) {
    return clone(patch.filter((p) => !(isObject(p) && p.$patch === 'replace')));
  }
  const existing = Array.isArray(current) ? clone(current) : [];
  if (list.type === 'set') {
    for (const v of patch) if (!existing.some((e) => deepEqual(e, v))) existing.push(clone(v));
    return existing;
  }
  if (list.type !== 'map') return clone(patch);
  const key = list.keys[0];
  for (const item of patch) {
    if (!isObject(item) || item[key] === undefined) throw badRequest(`map: ${field} does not contain declared merge key: ${key}`);
    const at = existing.findIndex((e) => isObject(e) && deepEqual(e[key], item[key]));
    if (item.$patch === 'delete') {
      if (at >= 0) existing.splice(at, 1);
    } else if (at >= 0) {
      existing[at] = strategicMergePatch(existing[at], item, shape.item());
    } else {
      existing.push(strategicMergePatch(undefined, item, shape.item()));
    }
  }
  return existing;
}
