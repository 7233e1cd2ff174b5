/**
 * What backups and restores write where the user looks, as pure patches: a WebStackBackup's
 * status, the stack's BackupFailing condition and its status.backup and status.restore.
 */
import type { WebStackBackup, WebStackBackupStatus } from '../../api/backup-types.js';
import type { RestoreStatus, WebStack } from '../../api/types.js';
import { withConditions } from '../conditions.js';

export const BACKUP_FAILING = 'BackupFailing';
export const RESTORED = 'Restored';

export const isTerminal = (b: WebStackBackup): boolean => b.status?.phase === 'Completed' || b.status?.phase === 'Failed';

/** Per-backup retry delay: base, doubling, capped at 32 times the base. */
export function retryDelayMs(attempts: number, baseMs: number): number {
  return baseMs * 2 ** Math.min(Math.max(attempts - 1, 0), 5);
}

/** The stack's BackupFailing condition after a backup attempt. */
export function backupConditionPatch(ws: WebStack, backup: string, error: string | undefined, now: string): object {
  const input = error === undefined
    ? { type: BACKUP_FAILING, status: 'False' as const, reason: 'BackupSucceeded', message: `backup ${backup} completed` }
    : { type: BACKUP_FAILING, status: 'True' as const, reason: 'BackupFailed', message: `backup ${backup}: ${error}` };
  const backupSummary = error === undefined ? { backup: { ...ws.status?.backup, lastSuccessTime: now } } : {};
  return { conditions: withConditions(ws.status?.conditions, [input], ws.metadata.generation ?? 0, now), ...backupSummary };
}

/** The stack's status.restore and Restored condition. */
export function restoreStatusPatch(ws: WebStack, restore: RestoreStatus, now: string): object {
  const condition = {
    type: RESTORED,
    status: restore.phase === 'Completed' ? 'True' as const : 'False' as const,
    reason: restore.phase === 'Completed' ? 'RestoreCompleted' : restore.phase === 'Failed' ? 'RestoreFailed' : 'Restoring',
    message: restore.message ?? '',
  };
  return { restore, conditions: withConditions(ws.status?.conditions, [condition], ws.metadata.generation ?? 0, now) };
}

/** The next status of a backup after a failed attempt: Pending for a retry, or Failed for good. */
export function failedAttemptStatus(attempts: number, maxAttempts: number, error: string): WebStackBackupStatus {
  return attempts >= maxAttempts
    ? { phase: 'Failed', attempts, message: `${error} (gave up after ${attempts} attempts)` }
    : { phase: 'Pending', attempts, message: `attempt ${attempts} failed, retrying: ${error}` };
}
