/**
 * Backups while this operator leads: it takes every WebStackBackup that is not done (one at a time
 * per stack, retried with back-off), creates them on each stack's schedule, applies retention,
 * deletes a deleted backup's data (its finalizer), and restores a new stack that asks for it once
 * its primary is up. It never acts on replication: a
 * backup reads a replica, so a failing backup cannot stall replication or failover.
 */
import type { RestoreSpec, WebStackBackup, WebStackBackupStatus } from '../../api/backup-types.js';
import { LABEL_STACK, names } from '../../api/labels.js';
import type { RestoreStatus, WebStack } from '../../api/types.js';
import { validateWebStack } from '../../api/validate.js';
import type { Timer } from '../../clock.js';
import { backupMetrics, type BackupMetrics } from '../../backup/metrics.js';
import { longestGapSeconds, nextRun, parseCron } from '../../backup/cron.js';
import { Informer } from '../../kube/informer.js';
import { isNotFound } from '../../kube/client.js';
import { patchStatus } from '../../kube/status-patch.js';
import { slimTransform } from '../../kube/cache-transform.js';
import { forStack } from '../../log.js';
import { rfc3339 } from '../conditions.js';
import type { LeaderTask, OperatorParts } from '../operator.js';
import { WEBSTACK, WEBSTACKBACKUP } from '../resources.js';
import { stackKey } from '../stack-keys.js';
import {
  backupConditionPatch, failedAttemptStatus, isTerminal, restoreStatusPatch, retryDelayMs,
} from './backup-status.js';
import { applyRetention } from './retention-runner.js';
import { BackupRunner } from './backup-runner.js';
import { RestoreRunner, RestoreRefused } from './restore-runner.js';
import { StackAccess } from './stack-access.js';
import { BinlogArchiver } from './archiver.js';
import { deleteBackupData, deletingWithData, finalizerAdded, finalizerRemoved } from './backup-deletion.js';

export interface BackupOptions {
  /** First retry delay of a failed backup or restore; doubles per attempt. */
  retryBaseMs?: number;
  maxAttempts?: number;
  /** How often each point-in-time stack's binlogs are archived. */
  archiveIntervalMs?: number;
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export class BackupController implements LeaderTask {
  private readonly informers: Informer[];
  /** Per stack: the chain of work (backups, restores) so one runs at a time. */
  private readonly chains = new Map<string, Promise<void>>();
  /** Backups and restores queued or running, by `kind/namespace/name`. */
  private readonly queued = new Set<string>();
  private readonly retries = new Map<string, Timer>();
  /** Failed deletions of a backup's data so far, by id (the backup itself can't record them: it is being deleted). */
  private readonly deleteAttempts = new Map<string, number>();
  private readonly schedules = new Map<string, { schedule: string; timer: Timer }>();
  private readonly metrics: BackupMetrics;
  private readonly access: StackAccess;
  private readonly backups: BackupRunner;
  private readonly restores: RestoreRunner;
  private readonly archiver: BinlogArchiver;
  private readonly retryBaseMs: number;
  private readonly maxAttempts: number;
  private running = false;

  constructor(private readonly parts: OperatorParts, opts: BackupOptions = {}) {
    const scopes = parts.namespaces.length > 0 ? parts.namespaces : [undefined];
    const transform = slimTransform({ statusRead: new Set([WEBSTACKBACKUP.kind]) });
    this.informers = scopes.map((ns) => new Informer(parts.kubeConfig, parts.client, WEBSTACKBACKUP, ns, parts.clock, parts.log, { transform }));
    this.metrics = backupMetrics(parts.registry);
    this.access = new StackAccess(parts.client, parts.caches);
    this.backups = new BackupRunner(this.access, parts.clock, parts.agents);
    this.restores = new RestoreRunner(this.access, parts.client, parts.agents);
    this.retryBaseMs = opts.retryBaseMs ?? 5000;
    this.maxAttempts = opts.maxAttempts ?? 6;
    this.archiver = new BinlogArchiver(parts, this.access, this.metrics, opts.archiveIntervalMs ?? 10_000, (ns) => this.cachedBackups(ns));
    for (const i of this.informers) i.on((type, o) => { if (type !== 'delete') this.onBackup(o as unknown as WebStackBackup); });
    parts.caches.on<WebStack>([WEBSTACK], (type, ws) => {
      if (type === 'delete') {
        this.unschedule(stackKey(ws.metadata.namespace, ws.metadata.name));
        this.archiver.follow(stackKey(ws.metadata.namespace, ws.metadata.name), undefined);
      } else this.onStack(ws);
    });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void Promise.all(this.informers.map((i) => i.start())).then(() => {
      for (const ws of this.parts.caches.list<WebStack>(WEBSTACK.kind)) this.onStack(ws);
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const t of this.retries.values()) t.cancel();
    this.retries.clear();
    for (const s of this.schedules.values()) s.timer.cancel();
    this.schedules.clear();
    this.metrics.scheduleInterval.reset();
    this.archiver.stop();
    await Promise.all([...this.chains.values()]);
    await Promise.all(this.informers.map((i) => i.stop()));
  }

  private cachedBackups(namespace: string): WebStackBackup[] {
    return this.informers.flatMap((i) => i.list(namespace) as unknown as WebStackBackup[]);
  }

  /** Runs `work` after whatever the stack is doing; `id` is queued until it ends. */
  private enqueue(stack: string, id: string, work: () => Promise<void>): void {
    if (!this.running || this.queued.has(id) || this.retries.has(id)) return;
    this.queued.add(id);
    const next = (this.chains.get(stack) ?? Promise.resolve()).then(async () => {
      if (this.running) await work();
    }).catch((err: unknown) => {
      this.parts.log.error('backup work failed unexpectedly', { id, error: errorText(err) });
    }).finally(() => {
      this.queued.delete(id);
      if (this.chains.get(stack) === next) this.chains.delete(stack);
    });
    this.chains.set(stack, next);
  }

  private retryLater(id: string, attempts: number, again: () => void): void {
    this.retries.get(id)?.cancel();
    this.retries.set(id, this.parts.clock.after(retryDelayMs(attempts, this.retryBaseMs), () => {
      this.retries.delete(id);
      again();
    }));
  }

  private onBackup(b: WebStackBackup): void {
    if (!this.running) return;
    const ns = b.metadata.namespace!;
    const key = stackKey(ns, b.spec.stack);
    if (deletingWithData(b)) {
      this.enqueue(key, `delete/${ns}/${b.metadata.name}`, () => this.deleteData(ns, b.metadata.name));
      return;
    }
    if (b.metadata.deletionTimestamp) return;
    const finalizer = finalizerAdded(b);
    if (finalizer) {
      // The update this makes brings the backup back here, with its finalizer.
      void this.parts.client.mergePatch(WEBSTACKBACKUP, ns, b.metadata.name, finalizer).catch((err: unknown) => {
        if ((err as { code?: number }).code !== 409 && !isNotFound(err)) {
          this.parts.log.warn('could not add the backup data finalizer', { namespace: ns, backup: b.metadata.name, error: errorText(err) });
        }
      });
      return;
    }
    if (isTerminal(b)) return;
    this.enqueue(key, `backup/${ns}/${b.metadata.name}`, () => this.takeBackup(ns, b.metadata.name));
  }

  /** A deleted backup's data goes, then the finalizer; retried with back-off while the storage fails. */
  private async deleteData(ns: string, name: string): Promise<void> {
    const b = await this.parts.client.get<WebStackBackup>(WEBSTACKBACKUP, ns, name);
    if (!b || !deletingWithData(b)) return;
    const log = forStack(this.parts.log, ns, b.spec.stack);
    const id = `delete/${ns}/${name}`;
    if (b.status?.location && !b.status.storage?.s3 && !this.parts.caches.get<WebStack>(WEBSTACK.kind, ns, b.spec.stack)) {
      // Its stack is gone, and its backup store with it: the data stays on the kept volume, whose deletion deletes it.
      await this.parts.client.mergePatch(WEBSTACKBACKUP, ns, name, finalizerRemoved(b)).catch((err: unknown) => { if (!isNotFound(err)) throw err; });
      const message = `the data of backup ${name} stays on PersistentVolumeClaim ${names.backupVolume(b.spec.stack)}: stack ${b.spec.stack} is deleted, no store serves it`;
      log.info('backup data kept on the stack\'s volume', { backup: name, location: b.status.location });
      void this.parts.events.record(b, 'Normal', 'BackupDataKept', message);
      return;
    }
    try {
      const objects = await deleteBackupData(this.access, b, this.cachedBackups(ns), log);
      await this.parts.client.mergePatch(WEBSTACKBACKUP, ns, name, finalizerRemoved(b));
      this.deleteAttempts.delete(id);
      log.info('backup data deleted', { backup: name, objects, location: b.status?.location });
    } catch (err) {
      if (isNotFound(err)) return;
      const attempts = (this.deleteAttempts.get(id) ?? 0) + 1;
      this.deleteAttempts.set(id, attempts);
      const message = `deleting the data of backup ${name} failed (attempt ${attempts}, retrying): ${errorText(err)}`;
      log.warn('backup data deletion failed', { backup: name, attempts, error: errorText(err) });
      void this.parts.events.record(b, 'Warning', 'BackupDeletionFailed', message);
      this.retryLater(id, attempts, () => {
        const latest = this.cachedBackups(ns).find((x) => x.metadata.name === name);
        if (latest) this.onBackup(latest);
      });
    }
  }

  private async patchBackup(ns: string, name: string, status: WebStackBackupStatus): Promise<void> {
    await this.parts.client.mergePatch(WEBSTACKBACKUP, ns, name, { status }, 'status');
  }

  private async takeBackup(ns: string, name: string): Promise<void> {
    const b = await this.parts.client.get<WebStackBackup>(WEBSTACKBACKUP, ns, name);
    if (!b || isTerminal(b)) return;
    const log = forStack(this.parts.log, ns, b.spec.stack);
    const attempts = (b.status?.attempts ?? 0) + 1;
    const started = this.parts.clock.now();
    await this.patchBackup(ns, name, { phase: 'Running', attempts, startTime: b.status?.startTime ?? rfc3339(started), message: `attempt ${attempts}` });
    const ws = this.parts.caches.get<WebStack>(WEBSTACK.kind, ns, b.spec.stack);
    try {
      if (!ws) throw new Error(`WebStack ${ns}/${b.spec.stack} not found`);
      const result = await this.backups.run(ws, b);
      await this.patchBackup(ns, name, { ...result, phase: 'Completed', attempts, completionTime: rfc3339(this.parts.clock.now()) });
      const labels = { namespace: ns, name: b.spec.stack };
      this.metrics.lastSuccess.set(labels, this.parts.clock.now() / 1000);
      this.metrics.duration.observe(labels, (this.parts.clock.now() - started) / 1000);
      this.metrics.size.set(labels, result.size ?? 0);
      log.info('backup completed', { backup: name, size: result.size, location: result.location, source: result.message });
      void this.parts.events.record(b, 'Normal', 'BackupCompleted', `${result.size} bytes at ${result.location} (${result.message})`);
      await this.stackCondition(ns, b.spec.stack, name, undefined);
      await applyRetention(this.parts, this.access, ws, this.cachedBackups(ns), log);
    } catch (err) {
      const message = errorText(err);
      const next = failedAttemptStatus(attempts, this.maxAttempts, message);
      log.warn('backup failed', { backup: name, attempts, error: message });
      await this.patchBackup(ns, name, next).catch((e: unknown) => log.warn('could not write the backup status', { backup: name, error: errorText(e) }));
      void this.parts.events.record(b, 'Warning', 'BackupFailed', next.message!);
      if (ws) void this.parts.events.record(ws, 'Warning', 'BackupFailed', `${name}: ${next.message}`);
      await this.stackCondition(ns, b.spec.stack, name, message).catch(() => undefined);
      if (next.phase === 'Pending') this.retryLater(`backup/${ns}/${name}`, attempts, () => this.onBackup(b));
    }
  }

  private async stackCondition(ns: string, stack: string, backup: string, error: string | undefined): Promise<void> {
    const now = rfc3339(this.parts.clock.now());
    await patchStatus<WebStack>(this.parts.client, WEBSTACK, ns, stack, (ws) => backupConditionPatch(ws, backup, error, now));
  }

  private onStack(ws: WebStack): void {
    if (!this.running || ws.metadata.deletionTimestamp || validateWebStack(ws).length > 0) return;
    const ns = ws.metadata.namespace!;
    const key = stackKey(ns, ws.metadata.name);
    this.reschedule(key, ws);
    this.archiver.follow(key, ws);
    const restore = ws.spec.database?.restore;
    const phase = ws.status?.restore?.phase;
    if (restore && phase !== 'Completed' && phase !== 'Failed' && ws.status?.database?.bootstrapped && ws.status.database.primary) {
      this.enqueue(key, `restore/${key}`, () => this.restore(ns, ws.metadata.name, restore));
    }
  }

  private async restore(ns: string, name: string, spec: RestoreSpec): Promise<void> {
    const log = forStack(this.parts.log, ns, name);
    const ws = await this.parts.client.get<WebStack>(WEBSTACK, ns, name);
    if (!ws || ws.status?.restore?.phase === 'Completed' || ws.status?.restore?.phase === 'Failed') return;
    const attempts = (ws.status?.restore?.attempts ?? 0) + 1;
    const write = (restore: RestoreStatus) =>
      patchStatus<WebStack>(this.parts.client, WEBSTACK, ns, name, (current) => restoreStatusPatch(current, restore, rfc3339(this.parts.clock.now())));
    await write({ phase: 'Running', attempts, pointInTime: spec.pointInTime, message: `attempt ${attempts}` });
    try {
      const done = await this.restores.run(ws, spec);
      await write({ ...done, phase: 'Completed', attempts, completionTime: rfc3339(this.parts.clock.now()) });
      log.info('restore completed', { backup: done.backup, pointInTime: spec.pointInTime });
      void this.parts.events.record(ws, 'Normal', 'RestoreCompleted', done.message ?? '');
    } catch (err) {
      const message = errorText(err);
      const final = err instanceof RestoreRefused || attempts >= this.maxAttempts;
      log.warn('restore failed', { attempts, error: message });
      await write({ phase: final ? 'Failed' : 'Running', attempts, pointInTime: spec.pointInTime, message: final ? message : `attempt ${attempts} failed, retrying: ${message}` })
        .catch(() => undefined);
      void this.parts.events.record(ws, 'Warning', 'RestoreFailed', message);
      if (!final) {
        this.retryLater(`restore/${stackKey(ns, name)}`, attempts, () => {
          const latest = this.parts.caches.get<WebStack>(WEBSTACK.kind, ns, name);
          if (latest) this.onStack(latest);
        });
      }
    }
  }

  private unschedule(key: string): void {
    this.schedules.get(key)?.timer.cancel();
    this.schedules.delete(key);
    const [namespace, name] = key.split('/');
    this.metrics.scheduleInterval.remove({ namespace, name });
  }

  /** The timer of the stack's next scheduled backup follows spec.database.backup.schedule. */
  private reschedule(key: string, ws: WebStack): void {
    const schedule = ws.spec.database?.backup?.schedule;
    const current = this.schedules.get(key);
    if (current?.schedule === schedule) return;
    this.unschedule(key);
    if (!schedule) return;
    const cron = parseCron(schedule);
    this.metrics.scheduleInterval.set({ namespace: ws.metadata.namespace!, name: ws.metadata.name }, longestGapSeconds(cron, this.parts.clock.now()));
    const at = nextRun(cron, this.parts.clock.now());
    const timer = this.parts.clock.after(at - this.parts.clock.now(), () => {
      this.schedules.delete(key);
      void this.createScheduled(ws.metadata.namespace!, ws.metadata.name, at).finally(() => {
        const latest = this.parts.caches.get<WebStack>(WEBSTACK.kind, ws.metadata.namespace!, ws.metadata.name);
        if (latest && this.running) this.reschedule(key, latest);
      });
    });
    this.schedules.set(key, { schedule, timer });
  }

  private async createScheduled(ns: string, stack: string, at: number): Promise<void> {
    const stamp = new Date(at).toISOString().replace(/[-:T]/g, '').slice(0, 12);
    const name = `${stack}-${stamp}`;
    try {
      await this.parts.client.create(WEBSTACKBACKUP, ns, {
        apiVersion: WEBSTACKBACKUP.apiVersion, kind: WEBSTACKBACKUP.kind,
        metadata: { name, namespace: ns, labels: { [LABEL_STACK]: stack } },
        spec: { stack },
      });
      await patchStatus<WebStack>(this.parts.client, WEBSTACK, ns, stack, (ws) => ({ backup: { ...ws.status?.backup, lastScheduleTime: rfc3339(at) } }));
    } catch (err) {
      // Another leader, or this one before a restart, made it already.
      if (isNotFound(err)) return;
      if ((err as { code?: number }).code === 409) return;
      forStack(this.parts.log, ns, stack).warn('could not create the scheduled backup', { backup: name, error: errorText(err) });
    }
  }
}
