/**
 * Applies a SchemaNode the way the API server applies a CRD schema: defaults first, then types,
 * bounds, patterns, and the CEL rules (through their TypeScript twins).
 */
import { isTransitionRule, type CelRule, type SchemaNode } from './schema-types.js';

export interface ValidationError {
  /** Path of the offending field, e.g. `spec.apps[1].weight`; '' for the object itself. */
  field: string;
  message: string;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function joinPath(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function childNode(node: SchemaNode, key: string): SchemaNode | undefined {
  return node.properties?.[key] ?? node.additionalProperties;
}

/**
 * A copy of `value` with every schema default filled in. As the API server does, nulls count as
 * absent, a default is applied only inside an object that exists, and unknown fields are kept.
 */
export function applyDefaults(node: SchemaNode, value: unknown): unknown {
  if (node.type === 'array' && Array.isArray(value)) {
    return node.items ? value.map((item) => applyDefaults(node.items as SchemaNode, item)) : [...value];
  }
  if (node.type !== 'object' || !isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (v === null || v === undefined) continue;
    const child = childNode(node, key);
    out[key] = child ? applyDefaults(child, v) : v;
  }
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    if (out[key] === undefined && child.default !== undefined) out[key] = applyDefaults(child, structuredClone(child.default));
  }
  return out;
}

const TYPE_MESSAGES: Record<string, string> = {
  object: 'must be an object',
  array: 'must be a list',
  string: 'must be a string',
  integer: 'must be a whole number',
  number: 'must be a number',
  boolean: 'must be true or false',
};

function hasType(node: SchemaNode, value: unknown): boolean {
  switch (node.type) {
    case 'object': return isPlainObject(value);
    case 'array': return Array.isArray(value);
    case 'string': return typeof value === 'string';
    case 'integer': return Number.isInteger(value);
    case 'number': return typeof value === 'number' && Number.isFinite(value);
    case 'boolean': return typeof value === 'boolean';
    default: return true;
  }
}

function rangeMessage(min: number | undefined, max: number | undefined, unit: string): string | undefined {
  if (min !== undefined && max !== undefined) return `must be between ${min} and ${max}${unit}`;
  if (min !== undefined) return `must be at least ${min}${unit}`;
  if (max !== undefined) return `must be at most ${max}${unit}`;
  return undefined;
}

function boundErrors(node: SchemaNode, value: unknown): string[] {
  const out: string[] = [];
  if (typeof value === 'number') {
    if ((node.minimum !== undefined && value < node.minimum) || (node.maximum !== undefined && value > node.maximum)) {
      out.push(rangeMessage(node.minimum, node.maximum, '') as string);
    }
  }
  if (typeof value === 'string') {
    if (node.enum && !node.enum.includes(value)) out.push(`must be one of: ${node.enum.join(', ')}`);
    if (node.minLength !== undefined && value.length < node.minLength) {
      out.push(node.minLength === 1 ? 'must not be empty' : `must be at least ${node.minLength} characters`);
    } else if (node.maxLength !== undefined && value.length > node.maxLength) {
      out.push(`must be at most ${node.maxLength} characters`);
    } else if (node.pattern !== undefined && !new RegExp(node.pattern).test(value)) {
      out.push(node.patternMeans ?? `must match ${node.pattern}`);
    }
  }
  if (Array.isArray(value)) {
    if ((node.minItems !== undefined && value.length < node.minItems) || (node.maxItems !== undefined && value.length > node.maxItems)) {
      out.push(node.minItems === 1 && value.length === 0 ? 'must not be empty' : rangeMessage(node.minItems, node.maxItems, ' items') as string);
    }
  }
  if (isPlainObject(value) && node.maxProperties !== undefined && Object.keys(value).length > node.maxProperties) {
    out.push(`must have at most ${node.maxProperties} entries`);
  }
  return out;
}

/** One CEL rule reached while walking a value: where it sits and the values it sees. */
export interface RuleSite {
  rule: CelRule;
  /** Path of the node carrying the rule. */
  path: string;
  self: unknown;
  /** The stored value at the same place, on an update; undefined on create. */
  oldSelf: unknown;
}

export function rulePath(site: Pick<RuleSite, 'rule' | 'path'>): string {
  const fieldPath = site.rule.fieldPath ?? '';
  return site.path ? site.path + fieldPath : fieldPath.slice(1);
}

interface Walk {
  errors: ValidationError[];
  sites: RuleSite[];
}

/**
 * Checks one node and its subtree; returns whether the subtree is well-formed (right types,
 * required fields present), which is what the node's CEL rules need to be evaluated at all.
 */
function walk(node: SchemaNode, value: unknown, path: string, old: unknown, out: Walk): boolean {
  if (!hasType(node, value)) {
    out.errors.push({ field: path, message: TYPE_MESSAGES[node.type as string] });
    return false;
  }
  for (const message of boundErrors(node, value)) out.errors.push({ field: path, message });
  let wellFormed = true;
  if (node.type === 'object') {
    const object = value as Record<string, unknown>;
    for (const key of node.required ?? []) {
      if (object[key] === undefined || object[key] === null) {
        out.errors.push({ field: joinPath(path, key), message: 'is required' });
        wellFormed = false;
      }
    }
    // Schema order first, so errors read top to bottom as the reference documents the fields.
    const keys = new Set([...Object.keys(node.properties ?? {}).filter((key) => key in object), ...Object.keys(object)]);
    for (const key of keys) {
      const child = object[key];
      if (child === undefined || child === null) continue;
      const known = node.properties?.[key];
      if (known) {
        const oldChild = isPlainObject(old) ? old[key] : undefined;
        wellFormed = walk(known, child, joinPath(path, key), oldChild, out) && wellFormed;
      } else if (node.additionalProperties) {
        wellFormed = walk(node.additionalProperties, child, `${path}[${key}]`, undefined, out) && wellFormed;
      } else if (!node['x-kubernetes-preserve-unknown-fields'] && !node.keepsUnknownFields) {
        out.errors.push({ field: joinPath(path, key), message: 'unknown field' });
      }
    }
  }
  if (node.type === 'array' && node.items) {
    const items = node.items;
    // Items of an atomic list have no stored counterpart, so transition rules never reach them.
    (value as unknown[]).forEach((item, i) => {
      wellFormed = walk(items, item, `${path}[${i}]`, undefined, out) && wellFormed;
    });
  }
  if (wellFormed) {
    for (const rule of node['x-kubernetes-validations'] ?? []) {
      if (isTransitionRule(rule) && old === undefined) continue;
      out.sites.push({ rule, path, self: value, oldSelf: old });
    }
  }
  return wellFormed;
}

/**
 * Every schema violation of `value` (already defaulted, see applyDefaults), plus every CEL rule
 * that applies to it. `old` is the stored object on an update, for transition rules.
 */
export function checkAgainstSchema(node: SchemaNode, value: unknown, old?: unknown): { errors: ValidationError[]; sites: RuleSite[] } {
  const out: Walk = { errors: [], sites: [] };
  walk(node, value, '', old, out);
  return out;
}

/** The errors of the CEL rules that fail, evaluated through their TypeScript twins. */
export function ruleErrors(sites: RuleSite[]): ValidationError[] {
  return sites
    .filter((site) => !site.rule.holds(site.self, site.oldSelf))
    .map((site) => ({ field: rulePath(site), message: site.rule.message }));
}
