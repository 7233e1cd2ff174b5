/**
 * Field sets as server-side apply tracks them: each owned field is a path of elements
 * `f:name`, `k:{"name":"web"}` (an item of a keyed list), `v:"value"` (an item of a set).
 * A path ending on a list item stands for the item itself (`.` in managedFields' FieldsV1).
 */
import type { Shape } from './shape.js';
import { deepEqual, isObject, type JsonObject } from './types.js';

export type FieldPath = string[];
/** Paths by their key (pathKey). */
export type FieldSet = Map<string, FieldPath>;

export const pathKey = (p: FieldPath): string => JSON.stringify(p);

export function newSet(paths: FieldPath[] = []): FieldSet {
  return new Map(paths.map((p) => [pathKey(p), p]));
}

export function addPath(set: FieldSet, p: FieldPath): void {
  set.set(pathKey(p), p);
}

export function hasPath(set: FieldSet, p: FieldPath): boolean {
  return set.has(pathKey(p));
}

export function deletePath(set: FieldSet, p: FieldPath): void {
  set.delete(pathKey(p));
}

/** List-map key fields kube defaults: an item without one is keyed (and matched) by the default, as server-side apply does. */
const KEY_DEFAULTS: JsonObject = { protocol: 'TCP' };

export function listKeyValue(item: JsonObject, key: string): unknown {
  return item[key] ?? KEY_DEFAULTS[key];
}

function keyElement(item: JsonObject, keys: string[]): string {
  return `k:${JSON.stringify(Object.fromEntries(keys.map((k) => [k, listKeyValue(item, k)])))}`;
}

/** Which top-level metadata fields are owned; name, namespace, uid and the like never are. */
const TRACKED_METADATA = ['labels', 'annotations', 'finalizers', 'ownerReferences'];

/**
 * The fields an object sets, among the top-level fields `includes` admits (e.g. not status for a
 * main-resource write); with `maps`, also the maps and lists owned themselves (see Shape.ownedItself).
 */
export function fieldsOf(obj: JsonObject, shape: Shape, includes: (field: string) => boolean = () => true, maps = false): FieldSet {
  const out = newSet();
  const walk = (value: unknown, s: Shape, prefix: FieldPath): void => walkFields(value, s, prefix, out, maps);
  for (const [key, value] of Object.entries(obj)) {
    if (key === 'apiVersion' || key === 'kind' || !includes(key) || value === undefined) continue;
    if (key === 'metadata') {
      if (!isObject(value)) continue;
      for (const m of TRACKED_METADATA) {
        if (value[m] !== undefined) walk(value[m], shape.child('metadata').child(m), ['f:metadata', `f:${m}`]);
      }
      continue;
    }
    walk(value, shape.child(key), [`f:${key}`]);
  }
  return out;
}

function walkFields(value: unknown, shape: Shape, prefix: FieldPath, out: FieldSet, maps: boolean): void {
  const walk = (v: unknown, s: Shape, p: FieldPath): void => walkFields(v, s, p, out, maps);
  if (isObject(value) && Object.keys(value).length && !shape.atomicMap() && !shape.atomicStruct()) {
    if (maps && shape.ownedItself()) addPath(out, prefix);
    for (const [k, v] of Object.entries(value)) if (v !== undefined) walk(v, shape.child(k), [...prefix, `f:${k}`]);
    return;
  }
  if (Array.isArray(value) && value.length) {
    const lt = shape.listType(value);
    if (maps && lt.type !== 'atomic' && shape.ownedItself()) addPath(out, prefix);
    if (lt.type === 'map') {
      for (const item of value) {
        if (!isObject(item)) continue;
        const elem = [...prefix, keyElement(item, lt.keys)];
        addPath(out, elem);
        walk(item, shape.item(), elem);
      }
      return;
    }
    if (lt.type === 'set') {
      for (const item of value) addPath(out, [...prefix, `v:${JSON.stringify(item)}`]);
      return;
    }
  }
  addPath(out, prefix);
}

/** The value at a path, undefined when absent. */
export function valueAt(obj: unknown, path: FieldPath): unknown {
  let cur = obj;
  for (const el of path) {
    if (el.startsWith('f:')) cur = isObject(cur) ? cur[el.slice(2)] : undefined;
    else if (el.startsWith('k:')) {
      const key = JSON.parse(el.slice(2)) as JsonObject;
      cur = Array.isArray(cur) ? cur.find((i) => isObject(i) && Object.entries(key).every(([k, v]) => deepEqual(listKeyValue(i, k), v))) : undefined;
    } else if (el.startsWith('v:')) {
      const v = JSON.parse(el.slice(2)) as unknown;
      cur = Array.isArray(cur) && cur.some((i) => deepEqual(i, v)) ? v : undefined;
    }
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** Removes the field (or list item) at a path; absent paths are left alone. */
export function removeAt(obj: unknown, path: FieldPath): void {
  if (!path.length) return;
  const parent = valueAt(obj, path.slice(0, -1));
  const el = path[path.length - 1];
  if (el.startsWith('f:') && isObject(parent)) delete parent[el.slice(2)];
  else if (Array.isArray(parent)) {
    const target = valueAt(obj, path);
    const at = parent.findIndex((i) => deepEqual(i, target));
    if (at >= 0) parent.splice(at, 1);
  }
}

/** FieldsV1 JSON: a tree of path elements; `.` marks a list item or map that is itself owned. */
export function toFieldsV1(set: FieldSet): JsonObject {
  const root: JsonObject = {};
  const paths = [...set.values()];
  for (const p of paths) {
    let node = root;
    for (const el of p) {
      if (!isObject(node[el])) node[el] = {};
      node = node[el] as JsonObject;
    }
  }
  for (const p of paths) {
    const node = valueAtTree(root, p);
    if (node && Object.keys(node).length) node['.'] = {};
  }
  return root;
}

function valueAtTree(root: JsonObject, p: FieldPath): JsonObject | undefined {
  let node: unknown = root;
  for (const el of p) node = isObject(node) ? node[el] : undefined;
  return isObject(node) ? node : undefined;
}

export function fromFieldsV1(tree: unknown, prefix: FieldPath = [], out: FieldSet = newSet()): FieldSet {
  if (!isObject(tree)) return out;
  const children = Object.keys(tree).filter((k) => k !== '.');
  if (prefix.length && (!children.length || '.' in tree)) addPath(out, prefix);
  for (const k of children) fromFieldsV1(tree[k], [...prefix, k], out);
  return out;
}

/** `.spec.containers[name="web"].image`: how kube prints a path in conflict messages. */
export function describePath(path: FieldPath): string {
  return path
    .map((el) => {
      if (el.startsWith('f:')) return `.${el.slice(2)}`;
      if (el.startsWith('k:')) {
        const key = JSON.parse(el.slice(2)) as JsonObject;
        return `[${Object.entries(key).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`;
      }
      return `[=${el.slice(2)}]`;
    })
    .join('');
}

export function isPrefix(prefix: FieldPath, path: FieldPath): boolean {
  return prefix.length <= path.length && prefix.every((el, i) => el === path[i]);
}
