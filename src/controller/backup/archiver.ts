/**
 * The binlog archive of each stack with spec.database.backup.pointInTimeRecovery (each engine's
 * way: pitr-engines.ts): a pass every interval against the current primary (so it follows
 * failovers), one pass at a time per stack, beside (never blocking) backups and replication. After a pass the stack's recoverable window
 * is written to status.backup when it moved.
 */
import type { WebStackBackup } from '../../api/backup-types.js';
import { resolveSpec } from '../../api/defaults.js';
import type { WebStack } from '../../api/types.js';
import type { Timer } from '../../clock.js';
import type { ArchiveState } from '../../backup/binlog-archive.js';
import { binlogLocation, stackRoot } from '../../backup/locations.js';
import type { BackupMetrics } from '../../backup/metrics.js';
import { patchStatus } from '../../kube/status-patch.js';
import { forStack } from '../../log.js';
import { rfc3339 } from '../conditions.js';
import type { OperatorParts } from '../operator.js';
import { WEBSTACK } from '../resources.js';
import { binlogArchiveFor } from './pitr-engines.js';
import type { StackAccess } from './stack-access.js';

interface Archiving {
  timer?: Timer;
  state: ArchiveState;
  busy: boolean;
}

export class BinlogArchiver {
  private readonly stacks = new Map<string, Archiving>();

  constructor(private readonly parts: OperatorParts, private readonly access: StackAccess, private readonly metrics: BackupMetrics,
    private readonly intervalMs: number, private readonly backups: (namespace: string) => WebStackBackup[]) {}

  /** Archives while the stack asks for it; stops when it no longer does. */
  follow(key: string, ws: WebStack | undefined): void {
    const wanted = ws && ws.spec.database?.backup?.pointInTimeRecovery;
    const current = this.stacks.get(key);
    if (!wanted) {
      current?.timer?.cancel();
      this.stacks.delete(key);
      return;
    }
    if (current) return;
    const entry: Archiving = { state: { archived: new Set() }, busy: false };
    this.stacks.set(key, entry);
    this.arm(key, entry, 0);
  }

  stop(): void {
    for (const a of this.stacks.values()) a.timer?.cancel();
    this.stacks.clear();
  }

  private arm(key: string, entry: Archiving, delayMs: number): void {
    entry.timer = this.parts.clock.after(delayMs, () => {
      void this.pass(key, entry).finally(() => {
        if (this.stacks.get(key) === entry) this.arm(key, entry, this.intervalMs);
      });
    });
  }

  private async pass(key: string, entry: Archiving): Promise<void> {
    const [ns, name] = key.split('/');
    const ws = this.parts.caches.get<WebStack>(WEBSTACK.kind, ns, name);
    const primary = ws?.status?.database?.primary;
    if (!ws || !primary || !ws.status?.database?.bootstrapped || entry.busy) return;
    entry.busy = true;
    const labels = { namespace: ns, name };
    const log = forStack(this.parts.log, ns, name);
    try {
      const storage = ws.spec.database?.backup?.storage ?? { volume: {} };
      const [addr, login, store] = await Promise.all([this.access.instance(ns, name, primary), this.access.login(ns, name), this.access.store(ns, name, storage)]);
      const pass = binlogArchiveFor(resolveSpec(ws).database.engine, this.access, this.parts.agents);
      const result = await pass({ primary: addr, login, store, prefix: binlogLocation(stackRoot(storage, ns, name)), state: entry.state, nowMs: () => this.parts.clock.now() });
      if (result.stored.length > 0) log.info('binlogs archived', { files: result.stored.length, primary });
      this.metrics.archiveLag.set(labels, Math.max(0, this.parts.clock.now() / 1000 - result.watermark));
      await this.window(ws, result.watermark);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      log.warn('binlog archive pass failed', { primary, error: message });
      void this.parts.events.record(ws, 'Warning', 'BinlogArchiveFailed', message);
    } finally {
      entry.busy = false;
    }
  }

  /** status.backup.recoverableFrom/Until: the oldest completed backup's start, and the archive's watermark. */
  private async window(ws: WebStack, watermark: number): Promise<void> {
    const completed = this.backups(ws.metadata.namespace!)
      .filter((b) => b.spec.stack === ws.metadata.name && b.status?.phase === 'Completed' && b.status.startTime)
      .map((b) => b.status!.startTime!).sort();
    const recoverableFrom = completed[0];
    const recoverableUntil = rfc3339(watermark * 1000);
    await patchStatus<WebStack>(this.parts.client, WEBSTACK, ws.metadata.namespace!, ws.metadata.name, (current) => {
      const b = current.status?.backup ?? {};
      if (!recoverableFrom || (b.recoverableFrom === recoverableFrom && b.recoverableUntil === recoverableUntil)) return undefined;
      return { backup: { ...b, recoverableFrom, recoverableUntil } };
    });
  }
}
