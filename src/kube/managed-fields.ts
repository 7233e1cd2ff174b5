/**
 * What one field manager's server-side apply set on an object, read from its managedFields
 * (FieldsV1: `f:name` a field, `k:{"name":"web"}` an item of a keyed list, `v:value` an item of a
 * set, `.` the item itself). Pure.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { boundedMemo } from './bounded-memo.js';

type FieldsV1 = { [element: string]: FieldsV1 };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function sameJson(a: unknown, b: unknown): boolean {
  return a === b || (typeof a === 'object' && typeof b === 'object' && JSON.stringify(a) === JSON.stringify(b));
}

type ItemTest = (item: unknown) => boolean;

/** Item tests by element: the same few elements (`k:{"name":"web"}`) come in every object of a kind. */
const itemTests = new Map<string, ItemTest | undefined>();
const ITEM_TESTS_MAX = 4096;

/** A list item's element (`k:{...}` or `v:...`) as a test of an item; undefined when it is neither or malformed. */
function itemTest(element: string): ItemTest | undefined {
  if (itemTests.has(element)) return itemTests.get(element);
  const test = parseItemTest(element);
  if (itemTests.size >= ITEM_TESTS_MAX) itemTests.clear();
  itemTests.set(element, test);
  return test;
}

function parseItemTest(element: string): ItemTest | undefined {
  if (!element.startsWith('k:') && !element.startsWith('v:')) return undefined;
  let key: unknown;
  try {
    key = JSON.parse(element.slice(2));
  } catch {
    return undefined;
  }
  if (element.startsWith('v:')) return (item) => sameJson(key, item);
  if (!isObject(key)) return undefined;
  const fields = Object.entries(key);
  return (item) => isObject(item) && fields.every(([k, v]) => sameJson(item[k], v));
}

/**
 * Field names by element (`f:replicas`: `replicas`): a name cut from its element anew is a new string
 * each time, which V8 must look up in its table of property names before it can use it as a key (the
 * projection took twice as long). The same few hundred elements come in every object.
 */
const nameOfField = boundedMemo((element) => element.slice(2), 4096);

/** The field an element names; undefined when it is not a field (`k:`, `v:`, `i:`). */
function fieldName(element: string): string | undefined {
  return element.startsWith('f:') ? nameOfField(element) : undefined;
}

/** Does `fields` name any element but the item itself (`.`)? Asked of every field of an object, so without a list of keys. */
function namesElements(fields: FieldsV1): boolean {
  for (const element in fields) if (element !== '.') return true;
  return false;
}

/** `value` cut down to the fields of `fields`; undefined when a field the set names is not there. */
function project(value: unknown, fields: FieldsV1): unknown {
  // A leaf, or a map or list owned whole (atomic): the value itself.
  if (!namesElements(fields)) return value;
  if (Array.isArray(value)) return projectItems(value, fields);
  if (!isObject(value)) return undefined;
  const out: Record<string, unknown> = {};
  for (const element in fields) {
    if (element === '.') continue;
    const name = fieldName(element);
    if (name === undefined) return undefined;
    if (!(name in value)) return undefined;
    const projected = project(value[name], fields[element]);
    if (projected === undefined) return undefined;
    out[name] = projected;
  }
  return out;
}

/** The items of a list that `fields` names (`k:` or `v:` elements), each cut down; undefined when one is not found. */
function projectItems(value: unknown[], fields: FieldsV1): unknown[] | undefined {
  const elements = Object.keys(fields).filter((e) => e !== '.');
  const tests = elements.map(itemTest);
  const items: unknown[] = [];
  for (const item of value) {
    const i = tests.findIndex((test) => test?.(item));
    if (i < 0) continue;
    const projected = elements[i].startsWith('v:') ? item : project(item, fields[elements[i]]);
    if (projected === undefined) return undefined;
    items.push(projected);
  }
  return items.length === elements.length ? items : undefined;
}

/**
 * The fields `manager` last applied to `o` (apiVersion, kind, name and namespace included), with
 * the values `o` holds now; undefined when it has no apply entry, or a field of it is not found as
 * the set says (the caller then treats the object as unknown, never as matching).
 */
export function appliedFields(o: KubernetesObject, manager: string): Record<string, unknown> | undefined {
  const entry = o.metadata?.managedFields?.find((m) => m.manager === manager && m.operation === 'Apply' && !m.subresource);
  if (!entry || !isObject(entry.fieldsV1)) return undefined;
  const projected = project(o, entry.fieldsV1 as FieldsV1);
  if (!isObject(projected)) return undefined;
  const metadata = isObject(projected.metadata) ? projected.metadata : {};
  return { ...projected, apiVersion: o.apiVersion, kind: o.kind, metadata: { ...metadata, name: o.metadata?.name, namespace: o.metadata?.namespace } };
}
