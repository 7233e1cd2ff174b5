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
