/**
 * What the database manager's conditions, as stored in the status, mean for Ready and Degraded.
 * The reconcile reads them from the API like any user would; it never asks the manager. Pure.
 */
import { DATABASE_DEGRADED, DATABASE_READY, FAILOVER_BLOCKED, SEMI_SYNC_DEGRADED } from '../api/conditions.js';
import type { WebStackStatus } from '../api/types.js';

export interface Verdict {
  reason: string;
  message: string;
}

export interface DatabaseVerdict {
  /** Set: Ready=False with this reason and message. */
  notReady?: Verdict;
  /** Set: Degraded=True with this reason and message. */
  degraded?: Verdict;
}

const IMPAIRMENTS = [DATABASE_DEGRADED, SEMI_SYNC_DEGRADED, FAILOVER_BLOCKED];

export function databaseVerdict(stored: WebStackStatus | undefined): DatabaseVerdict {
  const conditions = stored?.conditions ?? [];
  const ready = conditions.find((c) => c.type === DATABASE_READY);
  const verdict: DatabaseVerdict = {};
  if (!ready) verdict.notReady = { reason: 'DatabaseNotProbedYet', message: 'the database instances have not been probed yet' };
  else if (ready.status !== 'True') verdict.notReady = { reason: `Database${ready.reason}`, message: ready.message };
  // Before bootstrap "no primary yet" is progress, not impairment.
  if (stored?.database?.bootstrapped) {
    const impairment = IMPAIRMENTS.map((t) => conditions.find((c) => c.type === t)).find((c) => c?.status === 'True');
    if (impairment) verdict.degraded = { reason: impairment.reason, message: impairment.message };
  }
  return verdict;
}
