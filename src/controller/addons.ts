/**
 * The seam for per-stack managers that run beside the reconcile (the database failover manager):
 * the reconcile starts one per stack, stops it when the stack goes, and merges its contribution
 * into the status it writes. The reconcile owns Kubernetes objects; an addon owns its section.
 */
import type { DatabaseStatus, WebStack } from '../api/types.js';
import type { ConditionInput } from './conditions.js';

export interface AddonContribution {
  /** Replaces status.database. */
  database?: DatabaseStatus;
  /** Extra conditions (e.g. DatabaseReady), written after Ready/Progressing/Degraded. */
  conditions?: ConditionInput[];
  /** Set when the addon holds Ready back: becomes Ready=False with this reason and message. */
  notReady?: { reason: string; message: string };
  /** Set when the addon sees impairment: becomes Degraded=True with this reason and message. */
  degraded?: { reason: string; message: string };
}

export interface StackAddon {
  /**
   * Called on every reconcile of a valid, live stack (idempotent: start once, then update).
   * `changed` asks for a reconcile, so a new contribution reaches the status.
   */
  ensure(ws: WebStack, changed: () => void): void;
  /** The stack is gone (deleted or no longer watched). `key` is "namespace/name". */
  stop(key: string): Promise<void> | void;
  /** What it has to say about the stack now; undefined when it has nothing yet. */
  contribution(key: string): AddonContribution | undefined;
}
