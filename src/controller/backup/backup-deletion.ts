/**
 * A deleted WebStackBackup takes its data with it: the operator keeps BACKUP_DATA_FINALIZER on every
 * backup, and when one is deleted (by you, or by retention) it deletes the backup's objects in the
 * storage, then the archived binlogs no remaining backup of the stack needs, then lets it go.
 */
import { BACKUP_DATA_FINALIZER, type WebStackBackup } from '../../api/backup-types.js';
import type { Logger } from '../../log.js';
import type { StackAccess } from './stack-access.js';
import { pruneBinlogs } from './retention-runner.js';

/** The metadata patch that adds the finalizer (resourceVersion-guarded), or undefined when it is there. */
export function finalizerAdded(b: WebStackBackup): object | undefined {
  const finalizers = b.metadata.finalizers ?? [];
  if (finalizers.includes(BACKUP_DATA_FINALIZER) || b.metadata.deletionTimestamp) return undefined;
  return { metadata: { finalizers: [...finalizers, BACKUP_DATA_FINALIZER], resourceVersion: b.metadata.resourceVersion } };
}

/** The metadata patch that removes the finalizer, keeping anyone else's. */
export function finalizerRemoved(b: WebStackBackup): object {
  return { metadata: { finalizers: (b.metadata.finalizers ?? []).filter((f) => f !== BACKUP_DATA_FINALIZER), resourceVersion: b.metadata.resourceVersion } };
}

export const deletingWithData = (b: WebStackBackup): boolean =>
  !!b.metadata.deletionTimestamp && (b.metadata.finalizers ?? []).includes(BACKUP_DATA_FINALIZER);

/** Deletes `b`'s objects and the binlogs only it needed; `others`: the namespace's other backups. Returns how many objects went. */
export async function deleteBackupData(access: StackAccess, b: WebStackBackup, others: readonly WebStackBackup[], log: Logger): Promise<number> {
  const ns = b.metadata.namespace!;
  const location = b.status?.location;
  let deleted = 0;
  if (location) {
    const store = await access.store(ns, b.spec.stack, b.status!.storage ?? { volume: {} });
    const objects = await store.list(`${location}/`);
    await store.delete(objects.map((o) => o.key));
    deleted = objects.length;
  }
  const kept = others.filter((o) => o.metadata.name !== b.metadata.name && o.spec.stack === b.spec.stack
    && o.status?.phase === 'Completed' && !o.metadata.deletionTimestamp);
  await pruneBinlogs(access, ns, kept, log);
  return deleted;
}
