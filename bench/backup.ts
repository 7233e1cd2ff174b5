/**
 * bench:backup — backup and restore speed on real MariaDB, and the binlog archive's lag. Two
 * 2-instance stacks under their database managers: `--mb N` (default 256) of rows are written
 * to the first, a backup is dumped from its replica into a volume store and restored into the
 * second stack's primary; then single-row commits are timed until the archive holds each one,
 * with an archive pass every `--interval-ms` (default 1000, the operator's is 10 s). One JSON line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import { archiveBinlogs, readArchive, type ArchiveState } from '../src/backup/binlog-archive.js';
import { dumpToStore } from '../src/backup/dump.js';
import { parseGtidPosition } from '../src/backup/replay-plan.js';
import { restoreDump } from '../src/backup/restore.js';
import { binlogPosition } from '../src/backup/server-queries.js';
import { VolumeStore } from '../src/backup/volume-store.js';
import { DatabaseManager } from '../src/mysql/manager.js';
import { MemoryEvents, MemoryLabeler, MemoryRecord, MemoryStatus, StaticTopology } from '../src/mysql/memory.js';
import { startMariadbCluster, type MariadbCluster } from '../test/support/mariadb-cluster.js';
import { eventually } from '../test/support/eventually.js';

const flag = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const dataMb = flag('mb', 256);
const intervalMs = flag('interval-ms', 1000);
const samples = flag('samples', 10);

async function managed(cluster: MariadbCluster): Promise<{ record: MemoryRecord; manager: DatabaseManager }> {
  const record = new MemoryRecord();
  const manager = new DatabaseManager({
    stack: { namespace: 'bench', name: 'shop' }, credentials: cluster.credentials, topology: new StaticTopology(() => cluster.addresses()),
    spec: () => ({ engine: 'mariadb', desiredPrimary: '', failoverEnabled: true, failureThresholdSeconds: 3, replicationMode: 'async', semiSyncTimeoutSeconds: 10 }),
    record, labeler: new MemoryLabeler(), events: new MemoryEvents(), registry: new Registry(), status: new MemoryStatus(),
  });
  manager.start();
  await eventually('a primary and a replica', async () => manager.status().instances.filter((i) => i.ready).length === 2 && !!record.snapshot().bootstrapped, 60_000, 100);
  return { record, manager };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'webstack-bench-backup-'));
  const [source, target] = await Promise.all([startMariadbCluster({ size: 2, replicationMode: 'async' }), startMariadbCluster({ size: 2, replicationMode: 'async' })]);
  const stacks = await Promise.all([managed(source), managed(target)]);
  try {
    const login = { user: source.credentials.adminUser, password: source.credentials.adminPassword };
    const primary = stacks[0].record.snapshot().primary!;
    const addr = (c: MariadbCluster, name: string) => c.addresses().find((a) => a.name === name)!;
    await source.query(primary, 'CREATE TABLE app.rows (id INT AUTO_INCREMENT PRIMARY KEY, payload VARCHAR(1000))');
    // 1 KiB rows of varied text: compressible the way real data is, not a run of one byte.
    const hexes = Array.from({ length: 31 }, () => 'MD5(RAND())').join(', ');
    const batch = Array.from({ length: 1000 }, () => `(NULL, CONCAT(${hexes}))`).join(', ');
    for (let mb = 0; mb < dataMb; mb++) await source.query(primary, `INSERT INTO app.rows VALUES ${batch}`);
    const replica = source.addresses().find((a) => a.name !== primary)!;
    const position = await binlogPosition(addr(source, primary), login);
    await eventually('the replica caught up', async () => (await binlogPosition(replica, login)) === position, 300_000, 200);

    const store = new VolumeStore(dir);
    let t = performance.now();
    const manifest = await dumpToStore({ source: replica, login, databases: ['app'], store, location: 'b/backups/b1', now: () => new Date() });
    const backupS = (performance.now() - t) / 1000;
    const targetPrimary = stacks[1].record.snapshot().primary!;
    t = performance.now();
    await restoreDump({ store, location: 'b/backups/b1', sha256: manifest.sha256, backupName: 'b1', target: addr(target, targetPrimary),
      login: { user: target.credentials.adminUser, password: target.credentials.adminPassword } });
    const restoreS = (performance.now() - t) / 1000;

    // Archive lag: from a commit to the archive holding it, with passes every intervalMs.
    const state: ArchiveState = { archived: new Set() };
    let running = true;
    const passes = (async () => {
      while (running) {
        await archiveBinlogs(addr(source, primary), login, store, 'b/binlogs', state, Date.now);
        await new Promise((r) => setTimeout(r, intervalMs));
      }
    })();
    const lags: number[] = [];
    for (let i = 0; i < samples; i++) {
      await source.query(primary, "INSERT INTO app.rows VALUES (NULL, 'lag probe')");
      const committed = performance.now();
      const seq = parseGtidPosition(await binlogPosition(addr(source, primary), login)).seq;
      await eventually('the archive to hold the commit', async () => {
        const { indexes } = await readArchive(store, 'b/binlogs');
        return indexes.some((x) => x.transactions.some((tx) => tx.seq === seq));
      }, 60_000, 20);
      lags.push((performance.now() - committed) / 1000);
      await new Promise((r) => setTimeout(r, Math.random() * intervalMs));
    }
    running = false;
    await passes;
    // Per GiB of the logical copy (the SQL the dump wrote), the size a restore replays.
    const bytes = manifest.dumpedBytes;
    const gib = bytes / 2 ** 30;
    lags.sort((a, b) => a - b);
    process.stdout.write(`${JSON.stringify({
      bench: 'backup', engine: 'mariadb', method: manifest.method, dumpedMiB: Math.round(bytes / 2 ** 20), storedMiB: +(manifest.size / 2 ** 20).toFixed(1),
      backupSeconds: +backupS.toFixed(2), restoreSeconds: +restoreS.toFixed(2),
      backupSecondsPerGiB: +(backupS / gib).toFixed(1), restoreSecondsPerGiB: +(restoreS / gib).toFixed(1),
      archiveIntervalMs: intervalMs, archiveLagSecondsMedian: +lags[lags.length >> 1].toFixed(2), archiveLagSecondsMax: +lags[lags.length - 1].toFixed(2),
    })}\n`);
  } finally {
    await Promise.all(stacks.map((s) => s.manager.stop()));
    await Promise.all([source.close(), target.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:backup: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
