/**
 * The database manager's part of the WebStack status as stored: its record in status.database
 * (the truth a restarted operator reads back), and its report (the instances beside the record,
 * its conditions in the list). Pure conversions to and from what the API holds; the writer is
 * webstack-status.ts.
 */
import type { DatabaseStatus, WebStack, WebStackStatus } from '../../api/types.js';
import type { ClusterState, ClusterStatePatch, DatabaseReport, FailoverInProgress, LastFailover } from '../../mysql/ports.js';
import { withConditions } from '../conditions.js';
import { statusEqual } from '../status.js';

/** status.database as stored: the API type plus the record fields only the manager reads. */
export type StoredDatabaseStatus = DatabaseStatus & { quarantined?: string[]; failoverInProgress?: FailoverInProgress };

/** The record fields of status.database; everything else there (instances) is observation. */
export function clusterStateFromStatus(db: StoredDatabaseStatus | undefined): ClusterState {
  if (!db) return {};
  const state: ClusterState = {};
  if (db.primary) state.primary = db.primary;
  if (db.bootstrapped !== undefined) state.bootstrapped = db.bootstrapped;
  if (db.exporterAccount !== undefined) state.exporterAccount = db.exporterAccount;
  if (db.quarantined?.length) state.quarantined = [...db.quarantined];
  if (db.failoverInProgress) state.failoverInProgress = { ...db.failoverInProgress };
  const lf = db.lastFailover;
  if (db.rebuild) state.rebuild = { ...db.rebuild };
  if (db.rebuildAttempts?.length) state.rebuildAttempts = db.rebuildAttempts.map((a) => ({ ...a }));
  if (db.errantTransactionsSaved?.length) state.errantTransactionsSaved = db.errantTransactionsSaved.map((e) => ({ ...e }));
  if (lf) state.lastFailover = { kind: lf.kind ?? 'failover', from: lf.from, to: lf.to, reason: lf.reason, startedAt: lf.startedAt, durationMs: lf.durationMs } satisfies LastFailover;
  return state;
}

/** The JSON merge patch body for the /status subresource: null removes a field, as in the record's patch. */
export function statusPatchFor(patch: ClusterStatePatch): { status: { database: Record<string, unknown> } } {
  const database: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(patch)) if (v !== undefined) database[k] = v;
  return { status: { database } };
}

/** The record after a patch, as MemoryRecord applies it. */
export function applyPatch(state: ClusterState, patch: ClusterStatePatch): ClusterState {
  const next: Record<string, unknown> = { ...state };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete next[k];
    else if (v !== undefined) next[k] = structuredClone(v);
  }
  return next as ClusterState;
}

/** The status patch that publishes `report`, or undefined when the stored status already says it all. */
export function reportPatch(ws: WebStack, report: DatabaseReport, now: string): Required<Pick<WebStackStatus, 'conditions'>> & { database: Pick<DatabaseStatus, 'instances'> } | undefined {
  const previous = ws.status ?? {};
  const conditions = withConditions(previous.conditions, report.conditions, ws.metadata.generation ?? 0, now);
  const next = { database: { instances: report.instances }, conditions };
  const stored = { database: { instances: previous.database?.instances }, conditions: previous.conditions };
  return statusEqual(stored, next) ? undefined : next;
}
