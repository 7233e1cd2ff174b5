/**
 * Structural schema handling for custom resources, in kube's order: prune unknown fields,
 * apply defaults, then validate (OpenAPI v3 keywords and CEL rules). Errors name the field
 * the way kube-apiserver does: `spec.apps[0].replicas: Invalid value: -1: ...`.
 */
import { CelValues, evaluateRule, usesOldSelf, type CelRule } from './cel.js';
import type { FieldError } from './errors.js';
import { clone, deepEqual, isObject, type JsonObject } from './types.js';

const ROOT_KEEP = new Set(['apiVersion', 'kind', 'metadata']);

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function preservesUnknown(schema: JsonObject): boolean {
  return schema['x-kubernetes-preserve-unknown-fields'] === true;
}

/** Removes fields the schema does not declare; returns their paths (for fieldValidation=Strict). */
export function prune(value: unknown, schema: JsonObject | undefined, path = '', root = true): string[] {
  const removed: string[] = [];
  if (!schema) return removed;
  if (Array.isArray(value)) {
    const items = isObject(schema.items) ? schema.items : undefined;
    value.forEach((v, i) => removed.push(...prune(v, items, `${path}[${i}]`, false)));
    return removed;
  }
  if (!isObject(value)) return removed;
  const props = isObject(schema.properties) ? schema.properties : {};
  const additional = isObject(schema.additionalProperties) ? schema.additionalProperties : undefined;
  const embedded = schema['x-kubernetes-embedded-resource'] === true;
  for (const key of Object.keys(value)) {
    // ObjectMeta is kube's own business: a schema's 'metadata: {type: object}' doesn't prune it.
    if ((root || embedded) && ROOT_KEEP.has(key)) continue;
    const sub = isObject(props[key]) ? props[key] : additional;
    if (sub) removed.push(...prune(value[key], sub, join(path, key), false));
    else if (schema.additionalProperties === true || preservesUnknown(schema)) continue;
    else {
      delete value[key];
      removed.push(join(path, key));
    }
  }
  return removed;
}

/** Fills absent (or null, when not nullable) properties that declare a default. */
export function applyDefaults(value: unknown, schema: JsonObject | undefined): void {
  if (!schema) return;
  if (Array.isArray(value)) {
    const items = isObject(schema.items) ? schema.items : undefined;
    value.forEach((v) => applyDefaults(v, items));
    return;
  }
  if (!isObject(value)) return;
  const props = isObject(schema.properties) ? schema.properties : {};
  for (const [key, sub] of Object.entries(props)) {
    if (!isObject(sub)) continue;
    const absent = value[key] === undefined || (value[key] === null && sub.nullable !== true);
    if (absent && sub.default !== undefined) value[key] = clone(sub.default);
    if (value[key] !== undefined) applyDefaults(value[key], sub);
  }
  if (isObject(schema.additionalProperties)) {
    for (const [key, v] of Object.entries(value)) if (!(key in props)) applyDefaults(v, schema.additionalProperties);
  }
}

function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return '"array"';
  if (isObject(value)) return '"object"';
  return String(value);
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeMatches(value: unknown, schema: JsonObject): boolean {
  if (schema['x-kubernetes-int-or-string'] === true) return typeof value === 'string' || Number.isInteger(value);
  switch (schema.type) {
    case undefined:
      return true;
    case 'object':
      return isObject(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    default:
      return true;
  }
}

interface Walk {
  errors: FieldError[];
  celValues: CelValues;
}

/** Validates a (pruned, defaulted) value; `old` is the stored value at the same place, for transition rules. */
export function validate(value: unknown, schema: JsonObject | undefined, old?: unknown): FieldError[] {
  const walk: Walk = { errors: [], celValues: new CelValues() };
  if (schema) check(value, schema, '', old, walk, true);
  return walk.errors;
}

function invalidValue(walk: Walk, path: string, value: unknown, why: string): void {
  walk.errors.push({ field: path, reason: 'FieldValueInvalid', detail: `Invalid value: ${shown(value)}: ${why}` });
}

function check(value: unknown, schema: JsonObject, path: string, old: unknown, walk: Walk, root = false): void {
  const where = path || '<root>';
  if (value === null && schema.nullable === true) return;
  if (!typeMatches(value, schema)) {
    const expected = schema['x-kubernetes-int-or-string'] === true ? 'integer,string' : String(schema.type);
    invalidValue(walk, where, value === null ? 'null' : typeOf(value), `${where} in body must be of type ${expected}: ${shown(value)}`);
    return;
  }
  checkScalar(value, schema, where, walk);
  if (Array.isArray(value)) checkArray(value, schema, path, old, walk);
  if (isObject(value)) checkObject(value, schema, path, old, walk, root);
  checkRules(value, schema, path, old, walk);
}

function checkScalar(value: unknown, schema: JsonObject, where: string, walk: Walk): void {
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => deepEqual(e, value))) {
    walk.errors.push({
      field: where,
      reason: 'FieldValueNotSupported',
      detail: `Unsupported value: ${shown(value)}: supported values: ${schema.enum.map((e) => shown(e)).join(', ')}`,
    });
  }
  if (typeof value === 'number') {
    const min = schema.minimum;
    const max = schema.maximum;
    if (typeof min === 'number') {
      if (schema.exclusiveMinimum === true ? value <= min : value < min) {
        invalidValue(walk, where, value, `${where} in body should be greater than ${schema.exclusiveMinimum === true ? '' : 'or equal to '}${min}`);
      }
    }
    if (typeof max === 'number') {
      if (schema.exclusiveMaximum === true ? value >= max : value > max) {
        invalidValue(walk, where, value, `${where} in body should be less than ${schema.exclusiveMaximum === true ? '' : 'or equal to '}${max}`);
      }
    }
    if (typeof schema.multipleOf === 'number' && value % schema.multipleOf !== 0) {
      invalidValue(walk, where, value, `${where} in body should be a multiple of ${schema.multipleOf}`);
    }
  }
  if (typeof value === 'string') {
    if (typeof schema.minLength === 'number' && [...value].length < schema.minLength) {
      invalidValue(walk, where, value, `${where} in body should be at least ${schema.minLength} chars long`);
    }
    if (typeof schema.maxLength === 'number' && [...value].length > schema.maxLength) {
      walk.errors.push({ field: where, reason: 'FieldValueTooLong', detail: `Too long: may not be more than ${schema.maxLength} bytes` });
    }
    if (typeof schema.pattern === 'string' && !safeRegExp(schema.pattern)?.test(value)) {
      if (safeRegExp(schema.pattern)) invalidValue(walk, where, value, `${where} in body should match '${schema.pattern}'`);
    }
  }
}

const regexps = new Map<string, RegExp | null>();
function safeRegExp(pattern: string): RegExp | null {
  if (!regexps.has(pattern)) {
    try {
      regexps.set(pattern, new RegExp(pattern, 'u'));
    } catch {
      regexps.set(pattern, null);
    }
  }
  return regexps.get(pattern)!;
}

function checkArray(value: unknown[], schema: JsonObject, path: string, old: unknown, walk: Walk): void {
  const where = path || '<root>';
  if (typeof schema.minItems === 'number' && value.length < schema.minItems) {
    invalidValue(walk, where, value.length, `${where} in body should have at least ${schema.minItems} items`);
  }
  if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) {
    walk.errors.push({ field: where, reason: 'FieldValueTooMany', detail: `Too many: ${value.length}: must have at most ${schema.maxItems} items` });
  }
  const listType = schema['x-kubernetes-list-type'];
  const keys = Array.isArray(schema['x-kubernetes-list-map-keys']) ? schema['x-kubernetes-list-map-keys'].map(String) : [];
  const seen: unknown[] = [];
  value.forEach((item, i) => {
    const id = listType === 'map' && isObject(item) ? keys.map((k) => item[k]) : item;
    if ((listType === 'map' || listType === 'set' || schema.uniqueItems === true) && seen.some((s) => deepEqual(s, id))) {
      walk.errors.push({ field: `${path}[${i}]`, reason: 'FieldValueDuplicate', detail: `Duplicate value: ${listType === 'map' ? JSON.stringify(Object.fromEntries(keys.map((k, j) => [k, (id as unknown[])[j]]))) : shown(item)}` });
    }
    seen.push(id);
    if (isObject(schema.items)) {
      const oldItem = listType === 'map' && Array.isArray(old) && isObject(item)
        ? old.find((o) => isObject(o) && keys.every((k) => deepEqual(o[k], item[k])))
        : undefined;
      check(item, schema.items, `${path}[${i}]`, oldItem, walk);
    }
  });
}

function checkObject(value: JsonObject, schema: JsonObject, path: string, old: unknown, walk: Walk, root: boolean): void {
  const props = isObject(schema.properties) ? schema.properties : {};
  const oldObj = isObject(old) ? old : undefined;
  if (Array.isArray(schema.required)) {
    for (const req of schema.required.map(String)) {
      if (value[req] === undefined) walk.errors.push({ field: join(path, req), reason: 'FieldValueRequired', detail: 'Required value' });
    }
  }
  for (const [key, v] of Object.entries(value)) {
    if (root && key === 'metadata') continue;
    const sub = isObject(props[key]) ? props[key] : isObject(schema.additionalProperties) ? schema.additionalProperties : undefined;
    if (sub) check(v, sub, join(path, key), oldObj?.[key], walk);
  }
  if (typeof schema.minProperties === 'number' && Object.keys(value).length < schema.minProperties) {
    invalidValue(walk, path || '<root>', Object.keys(value).length, `${path || '<root>'} in body should have at least ${schema.minProperties} properties`);
  }
  if (typeof schema.maxProperties === 'number' && Object.keys(value).length > schema.maxProperties) {
    walk.errors.push({ field: path || '<root>', reason: 'FieldValueTooMany', detail: `Too many: ${Object.keys(value).length}: must have at most ${schema.maxProperties} items` });
  }
}

const celReasons: Record<string, string> = {
  FieldValueInvalid: 'FieldValueInvalid',
  FieldValueForbidden: 'FieldValueForbidden',
  FieldValueRequired: 'FieldValueRequired',
  FieldValueDuplicate: 'FieldValueDuplicate',
};

function checkRules(value: unknown, schema: JsonObject, path: string, old: unknown, walk: Walk): void {
  const rules = Array.isArray(schema['x-kubernetes-validations']) ? (schema['x-kubernetes-validations'].filter(isObject) as unknown as CelRule[]) : [];
  for (const rule of rules) {
    if (usesOldSelf(rule) && old === undefined && rule.optionalOldSelf !== true) continue;
    const outcome = evaluateRule(rule, value, old, walk.celValues);
    if (outcome.ok !== false) continue;
    const field = rule.fieldPath ? `${path}${rule.fieldPath.startsWith('.') ? '' : '.'}${rule.fieldPath}`.replace(/^\./, '') : path || '<root>';
    const reason = celReasons[rule.reason ?? ''] ?? 'FieldValueInvalid';
    const detail =
      reason === 'FieldValueInvalid' ? `Invalid value: ${shown(value)}: ${outcome.message}` : reason === 'FieldValueRequired' ? `Required value: ${outcome.message}` : reason === 'FieldValueForbidden' ? `Forbidden: ${outcome.message}` : `Duplicate value: ${outcome.message}`;
    walk.errors.push({ field, reason, detail });
  }
}
