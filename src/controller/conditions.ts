/** metav1.Condition bookkeeping: a transition time that moves only when the status does. */
import type { Condition } from '../api/types.js';

export interface ConditionInput {
  type: string;
  status: Condition['status'];
  reason: string;
  message: string;
}

/**
 * The condition as it should now read: lastTransitionTime is kept from `previous` when the
 * status is unchanged (a new reason or message is not a transition).
 */
export function nextCondition(previous: readonly Condition[] | undefined, input: ConditionInput, generation: number,
  now: string): Condition {
  const prev = previous?.find((c) => c.type === input.type);
  return {
    type: input.type,
    status: input.status,
    reason: input.reason,
    // The CRD caps messages at 32 KiB; a long list of field errors must not make the write fail.
    message: input.message.length > 32_000 ? `${input.message.slice(0, 32_000)}...` : input.message,
    lastTransitionTime: prev && prev.status === input.status ? prev.lastTransitionTime : now,
    observedGeneration: generation,
  };
}

/**
 * The full condition list: ours in the order given, then any other writer's conditions as they
 * were (we don't erase what we don't own).
 */
export function mergeConditions(previous: readonly Condition[] | undefined, inputs: readonly ConditionInput[],
  generation: number, now: string): Condition[] {
  const ours = inputs.map((i) => nextCondition(previous, i, generation, now));
  const types = new Set(inputs.map((i) => i.type));
  return [...ours, ...(previous ?? []).filter((c) => !types.has(c.type))];
}

/**
 * `previous` with each input's condition put in place, or appended when new: the order another
 * writer chose stays, so two writers of one list never reorder it back and forth.
 */
export function withConditions(previous: readonly Condition[] | undefined, inputs: readonly ConditionInput[], generation: number,
  now: string): Condition[] {
  const next = [...(previous ?? [])];
  for (const input of inputs) {
    const c = nextCondition(previous, input, generation, now);
    const i = next.findIndex((x) => x.type === input.type);
    if (i >= 0) next[i] = c;
    else next.push(c);
  }
  return next;
}

/** RFC 3339 in whole seconds, as metav1.Time is written. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
