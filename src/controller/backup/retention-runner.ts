/** Retention after a completed backup: the expired backups' data, then their objects, go. */
import type { WebStackBackup } from '../../api/backup-types.js';
import type { WebStack } from '../../api/types.js';
import { expiredBackups, parseAge } from '../../backup/retention.js';
import type { Logger } from '../../log.js';
import type { OperatorParts } from '../operator.js';
import { WEBSTACKBACKUP } from '../resources.js';
import { prunableArchive } from './pitr-engines.js';
import type { StackAccess } from './stack-access.js';

export async function applyRetention(parts: OperatorParts, access: StackAccess, ws: WebStack, backups: readonly WebStackBackup[], log: Logger): Promise<void> {
  const retention = ws.spec.database?.backup?.retention;
  if (!retention || (retention.count === undefined && retention.maxAge === undefined)) return;
  const completed = backups.filter((b) => b.spec.stack === ws.metadata.name && b.status?.phase === 'Completed' && b.status.completionTime && b.status.location);
  const expired = expiredBackups(completed.map((b) => ({ name: b.metadata.name, completedAt: Date.parse(b.status!.completionTime!) })),
    { count: retention.count, maxAgeMs: retention.maxAge ? parseAge(retention.maxAge) : undefined }, parts.clock.now());
  for (const { name, reason } of expired) {
    const b = completed.find((c) => c.metadata.name === name)!;
    try {
      const store = await access.store(ws.metadata.namespace!, b.spec.stack, b.status!.storage ?? { volume: {} });
      const objects = await store.list(`${b.status!.location}/`);
      await store.delete(objects.map((o) => o.key));
      await parts.client.delete(WEBSTACKBACKUP, ws.metadata.namespace!, name);
      log.info('backup deleted by retention', { backup: name, reason });
      void parts.events.record(ws, 'Normal', 'BackupDeleted', `${name}: ${reason}`);
    } catch (err) {
      log.warn('retention could not delete a backup', { backup: name, error: err instanceof Error ? err.message : String(err) });
    }
  }
  const kept = completed.filter((b) => !expired.some((e) => e.name === b.metadata.name));
  await pruneBinlogs(access, ws.metadata.namespace!, kept, log).catch((err: unknown) =>
    log.warn('retention could not prune the binlog archive', { error: err instanceof Error ? err.message : String(err) }));
}

/** Archived binlogs that only expired (or deleted) backups needed go too; `kept`: the stack's remaining completed backups. */
export async function pruneBinlogs(access: StackAccess, namespace: string, kept: readonly WebStackBackup[], log: Logger): Promise<void> {
  const archived = kept.filter((b) => b.status?.binlogLocation && b.status.gtidPosition);
  if (archived.length === 0 || archived.length !== kept.length) return;
  const location = archived[0].status!.binlogLocation!;
  const store = await access.store(namespace, archived[0].spec.stack, archived[0].status!.storage ?? { volume: {} });
  const engine = archived[0].status!.engine === 'mysql' ? 'mysql' : 'mariadb';
  const { keys: prunable, before } = await prunableArchive(engine, store, location, archived.map((b) => b.status!.gtidPosition!));
  // The indexes stay (they are small): the archiver reads them to know what it already copied.
  const present = new Set((await store.list(`${location}/`)).map((o) => o.key));
  const keys = prunable.filter((k) => present.has(k));
  if (keys.length === 0) return;
  await store.delete(keys);
  log.info('archived binlogs pruned by retention', { files: keys.length, before });
}
