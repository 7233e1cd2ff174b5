/** Label selectors (equality- and set-based) and field selectors, parsed from their query-string form. */
import { badRequest } from './errors.js';
import { isObject, type KubeObject } from './types.js';

export type LabelRequirement =
  | { key: string; op: 'exists' | '!exists' }
  | { key: string; op: 'in' | 'notin'; values: string[] };

export type Selector = (obj: KubeObject) => boolean;

const everything: Selector = () => true;

export function parseLabelSelector(text: string | undefined): LabelRequirement[] {
  const reqs: LabelRequirement[] = [];
  if (!text || !text.trim()) return reqs;
  for (const part of splitTopLevel(text)) {
    const s = part.trim();
    if (!s) continue;
    let m: RegExpMatchArray | null;
    if ((m = s.match(/^([\w./-]+)\s+(in|notin)\s*\(([^)]*)\)$/))) {
      reqs.push({ key: m[1], op: m[2] as 'in' | 'notin', values: m[3].split(',').map((v) => v.trim()).filter(Boolean) });
    } else if ((m = s.match(/^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/))) {
      reqs.push({ key: m[1], op: m[2] === '!=' ? 'notin' : 'in', values: [m[3]] });
    } else if ((m = s.match(/^!\s*([\w./-]+)$/))) {
      reqs.push({ key: m[1], op: '!exists' });
    } else if ((m = s.match(/^([\w./-]+)$/))) {
      reqs.push({ key: m[1], op: 'exists' });
    } else {
      throw badRequest(`unable to parse requirement: invalid label selector "${text}"`);
    }
  }
  return reqs;
}

/** Commas inside `in (a,b)` do not separate requirements. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts;
}

export function matchesLabels(reqs: LabelRequirement[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    switch (r.op) {
      case 'exists':
        return has;
      case '!exists':
        return !has;
      case 'in':
        return has && r.values.includes(l[r.key]);
      case 'notin':
        return !has || !r.values.includes(l[r.key]);
    }
  });
}

export function labelSelector(text: string | undefined): Selector {
  const reqs = parseLabelSelector(text);
  return reqs.length ? (obj) => matchesLabels(reqs, obj.metadata.labels) : everything;
}

export interface FieldRequirement {
  path: string;
  equal: boolean;
  value: string;
}

export function parseFieldSelector(text: string | undefined): FieldRequirement[] {
  if (!text || !text.trim()) return [];
  return text.split(',').map((part) => {
    const m = part.trim().match(/^([\w.-]+)\s*(==|=|!=)\s*(.*)$/);
    if (!m) throw badRequest(`invalid field selector: '${part}'`);
    return { path: m[1], equal: m[2] !== '!=', value: m[3] };
  });
}

/** A field's value as field selectors see it: a string, '' when absent. */
export function fieldValue(obj: KubeObject, path: string): string {
  let cur: unknown = obj;
  for (const key of path.split('.')) cur = isObject(cur) ? cur[key] : undefined;
  return cur === undefined || cur === null ? '' : String(cur);
}

export function fieldSelector(text: string | undefined): Selector {
  const reqs = parseFieldSelector(text);
  if (!reqs.length) return everything;
  return (obj) => reqs.every((r) => (fieldValue(obj, r.path) === r.value) === r.equal);
}

export function bothSelectors(labels: string | undefined, fields: string | undefined): Selector {
  const l = labelSelector(labels);
  const f = fieldSelector(fields);
  return (obj) => l(obj) && f(obj);
}
