/**
 * Scaling the database below its primary: the StatefulSet would delete the primary's pod first
 * and stop every write. The StatefulSet is held at the primary's size until the database manager
 * has switched over to an instance that stays (it records the new primary in the status). Pure.
 */
import { names } from '../api/labels.js';

/** The StatefulSet size to apply: the spec's, or one more than the recorded primary's ordinal while it would be removed. */
export function heldDatabaseReplicas(stack: string, specReplicas: number, recordedPrimary: string | undefined): number {
  const prefix = names.mysqlPod(stack, 0).slice(0, -1);
  if (!recordedPrimary?.startsWith(prefix)) return specReplicas;
  const ordinal = recordedPrimary.slice(prefix.length);
  if (!/^(0|[1-9][0-9]*)$/.test(ordinal)) return specReplicas;
  return Math.max(specReplicas, Number(ordinal) + 1);
}
