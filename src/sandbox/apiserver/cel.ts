/**
 * x-kubernetes-validations: CEL rules evaluated with `self` (and `oldSelf` on updates).
 * A rule the evaluator can't compile or run is skipped, never used to reject an object.
 */
import { parse } from '@marcbachmann/cel-js';
import { isObject } from './types.js';

type Program = ReturnType<typeof parse>;

export interface CelRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  fieldPath?: string;
  reason?: string;
  optionalOldSelf?: boolean;
}

const compiled = new Map<string, Program | null>();

function compile(expression: string): Program | null {
  if (!compiled.has(expression)) {
    try {
      compiled.set(expression, parse(expression));
    } catch {
      compiled.set(expression, null);
    }
  }
  return compiled.get(expression)!;
}

/** CEL's int is 64-bit: integral JSON numbers become bigint so int arithmetic and size() compare. */
function toCel(value: unknown): unknown {
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (Array.isArray(value)) return value.map(toCel);
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toCel(v)]));
  return value;
}

export type RuleOutcome = { ok: true } | { ok: false; message: string } | { ok: 'skipped' };

export function usesOldSelf(rule: CelRule): boolean {
  return /\boldSelf\b/.test(rule.rule);
}

export function evaluateRule(rule: CelRule, self: unknown, oldSelf: unknown): RuleOutcome {
  const program = compile(rule.rule);
  if (!program) return { ok: 'skipped' };
  let result: unknown;
  const context: Record<string, unknown> = { self: toCel(self) };
  if (oldSelf !== undefined) context.oldSelf = toCel(oldSelf);
  try {
    result = program(context);
  } catch {
    return { ok: 'skipped' };
  }
  if (result === true) return { ok: true };
  if (result !== false) return { ok: 'skipped' };
  return { ok: false, message: failureMessage(rule, context) };
}

function failureMessage(rule: CelRule, context: Record<string, unknown>): string {
  if (rule.messageExpression) {
    const program = compile(rule.messageExpression);
    try {
      const text = program?.(context);
      if (typeof text === 'string' && text) return text;
    } catch {
      // fall back to the static message, as kube does when messageExpression fails
    }
  }
  return rule.message ?? `failed rule: ${rule.rule}`;
}
