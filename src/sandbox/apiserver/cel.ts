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

/**
 * The CEL values of one validation's objects, each converted once however many rules look at it
 * or at what holds it. CEL's int is 64-bit: integral JSON numbers become bigint so int arithmetic
 * and size() compare. The objects must not change while it is in use.
 */
export class CelValues {
  private readonly converted = new WeakMap<object, unknown>();

  of(value: unknown): unknown {
    if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
    if (typeof value !== 'object' || value === null) return value;
    let out = this.converted.get(value);
    if (out === undefined) {
      out = Array.isArray(value) ? value.map((v) => this.of(v))
        : isObject(value) ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.of(v)])) : value;
      this.converted.set(value, out);
    }
    return out;
  }
}

export type RuleOutcome = { ok: true } | { ok: false; message: string } | { ok: 'skipped' };

export function usesOldSelf(rule: CelRule): boolean {
  return /\boldSelf\b/.test(rule.rule);
}

export function evaluateRule(rule: CelRule, self: unknown, oldSelf: unknown, values = new CelValues()): RuleOutcome {
  const program = compile(rule.rule);
  if (!program) return { ok: 'skipped' };
  let result: unknown;
  const context: Record<string, unknown> = { self: values.of(self) };
  if (oldSelf !== undefined) context.oldSelf = values.of(oldSelf);
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
