/**
 * The static cost check kube makes on a CRD's CEL rules, in its clearest case only: a rule that
 * nests comprehensions (all, exists, map...) over collections that are all unbounded (no
 * maxItems/maxProperties) costs about (3 MiB / smallest item)^depth, a million squared or more,
 * far over kube's per-rule budget of 10^7, so kube refuses the CRD. Rules this can't judge
 * are accepted; kube's full estimator also weighs string lengths and single loops. Pure.
 */
import type { FieldError } from './errors.js';
import { isObject, type JsonObject } from './types.js';

const COMPREHENSION = /\.(all|exists_one|exists|map|filter)\($/;

/** How deeply a rule nests comprehension macros. */
export function comprehensionDepth(rule: string): number {
  const open: boolean[] = [];
  let depth = 0;
  let max = 0;
  let quote: string | undefined;
  for (let i = 0; i < rule.length; i++) {
    const c = rule[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(') {
      const comprehension = COMPREHENSION.test(rule.slice(Math.max(0, i - 12), i + 1));
      open.push(comprehension);
      if (comprehension) max = Math.max(max, ++depth);
    } else if (c === ')' && open.pop()) depth--;
  }
  return max;
}

/** Whether the schema holds collections, and whether every one of them is unbounded. */
function collections(schema: JsonObject): { any: boolean; allUnbounded: boolean } {
  let any = false;
  let allUnbounded = true;
  const visit = (s: unknown): void => {
    if (!isObject(s)) return;
    if (s.type === 'array') {
      any = true;
      if (s.maxItems !== undefined) allUnbounded = false;
      visit(s.items);
    }
    if (isObject(s.additionalProperties)) {
      any = true;
      if (s.maxProperties !== undefined) allUnbounded = false;
      visit(s.additionalProperties);
    }
    if (isObject(s.properties)) for (const p of Object.values(s.properties)) visit(p);
  };
  visit(schema);
  return { any, allUnbounded: any && allUnbounded };
}

const TOO_COSTLY = 'estimated rule cost exceeds budget by factor of more than 100x (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)';

export function celCostErrors(schema: JsonObject, path: string): FieldError[] {
  const errors: FieldError[] = [];
  const visit = (s: unknown, at: string): void => {
    if (!isObject(s)) return;
    const rules = Array.isArray(s['x-kubernetes-validations']) ? s['x-kubernetes-validations'] : [];
    rules.forEach((r, i) => {
      if (!isObject(r) || typeof r.rule !== 'string') return;
      const { allUnbounded } = collections(s);
      if (allUnbounded && comprehensionDepth(r.rule) >= 2) {
        errors.push({ field: `${at}.x-kubernetes-validations[${i}].rule`, reason: 'FieldValueForbidden', detail: `Forbidden: ${TOO_COSTLY}` });
      }
    });
    if (isObject(s.properties)) for (const [k, p] of Object.entries(s.properties)) visit(p, `${at}.properties[${k}]`);
    if (isObject(s.items)) visit(s.items, `${at}.items`);
    if (isObject(s.additionalProperties)) visit(s.additionalProperties, `${at}.additionalProperties`);
  };
  visit(schema, path);
  return errors;
}
