/**
 * bench:backup — backup and restore speed on real MariaDB, and the binlog archive's lag. Two
 * 2-instance stacks under their database managers: `--mb N` (default 256) of rows are written
 * to the first, a backup (`--method logical`, the default: dumped; `--method physical`: the
 * replica's agent streams its mariadb-backup copy) is taken from its replica into a volume
 * (`--store direct`, the default: files written by this process; `--store server`: through a
 * `webstack-operator store` process on loopback, as a stack's backup store serves its claim) and restored into the second stack's primary (physical: uploaded to its agent, prepared, swapped
 * in and the server restarted on it); then single-row commits are timed until the archive holds each one,
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
import { copyToStore } from '../src/backup/physical.js';
import { restorePhysical } from '../src/backup/physical-restore.js';
import { AgentClient, type AgentTarget } from '../src/agent/client.js';
import { agentToken } from '../src/agent/protocol.js';
import { createAgentServer } from '../src/agent/server.js';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { binlogPosition } from '../src/backup/server-queries.js';
import { VolumeStore } from '../src/backup/volume-store.js';
import { RemoteStore } from '../src/backup/remote-store.js';
import type { BackupStore } from '../src/backup/store.js';
import { STORE_PATHS, STORE_TOKEN_ENV } from '../src/backup/store-protocol.js';
import { freePort } from '../src/sandbox/control-plane/index.js';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
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
const methodIndex = process.argv.indexOf('--method');
const method = methodIndex >= 0 ? process.argv[methodIndex + 1] : 'logical';
if (method !== 'logical' && method !== 'physical') throw new Error(`--method: '${method}' is not logical or physical`);
const storeIndex = process.argv.indexOf('--store');
const storeKind = storeIndex >= 0 ? process.argv[storeIndex + 1] : 'direct';
if (storeKind !== 'direct' && storeKind !== 'server') throw new Error(`--store: '${storeKind}' is not direct or server`);

/** `webstack-operator store` from the sources, serving `dir` on a loopback port, as in a stack's backup store pod. */
async function storeProcess(dir: string): Promise<{ store: BackupStore; stop(): void }> {
  const token = randomBytes(32).toString('hex');
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', path.resolve('src/sandbox/swc-register.mjs'), path.resolve('src/cli.ts'), 'store',
    `--port=${port}`, '--bind-address=127.0.0.1', `--dir=${dir}`], { env: { ...process.env, [STORE_TOKEN_ENV]: token }, stdio: 'ignore' });
  await eventually('the store to answer', () => new Promise<boolean>((resolve) => {
    http.get({ host: '127.0.0.1', port, path: STORE_PATHS.health }, (res) => { res.resume(); resolve(res.statusCode === 200); }).once('error', () => resolve(false));
  }), 30_000, 100);
  return { store: new RemoteStore({ host: '127.0.0.1', port, token, name: 'the bench store' }), stop: () => child.kill('SIGTERM') };
}

/** An agent beside an instance, as in its pod: the fence kills the server and the instance is started again, as a kubelet would. */
async function agentBeside(cluster: MariadbCluster, name: string): Promise<{ target: AgentTarget & { name: string }; server: Server }> {
  const inst = cluster.get(name);
  const server = createAgentServer({ dataDir: inst.dataDir, socket: inst.socket, adminUser: cluster.credentials.adminUser, adminPassword: cluster.credentials.adminPassword });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { target: { name, host: '127.0.0.1', port: (server.address() as AddressInfo).port }, server };
}

async function managed(cluster: MariadbCluster, failoverEnabled = true): Promise<{ record: MemoryRecord; manager: DatabaseManager }> {
  const record = new MemoryRecord();
  const manager = new DatabaseManager({
    stack: { namespace: 'bench', name: 'shop' }, credentials: cluster.credentials, caBundle: () => cluster.caBundle, topology: new StaticTopology(() => cluster.addresses()),
    spec: () => ({ engine: 'mariadb', desiredPrimary: '', failoverEnabled, failureThresholdSeconds: 3, replicationMode: 'async', semiSyncTimeoutSeconds: 10 }),
    record, labeler: new MemoryLabeler(), events: new MemoryEvents(), registry: new Registry(), status: new MemoryStatus(),
  });
  manager.start();
  await eventually('a primary and a replica', async () => manager.status().instances.filter((i) => i.ready).length === 2 && !!record.snapshot().bootstrapped, 60_000, 100);
  return { record, manager };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'webstack-bench-backup-'));
  const [source, target] = await Promise.all([startMariadbCluster({ size: 2, replicationMode: 'async' }), startMariadbCluster({ size: 2, replicationMode: 'async' })]);
  // The target's primary restarts on a physical copy: failover is held, as it is for a stack being restored.
  const stacks = await Promise.all([managed(source), managed(target, false)]);
  const agents: Server[] = [];
  let stopStore = (): void => undefined;
  try {
    const login = { user: source.credentials.adminUser, password: source.credentials.adminPassword, caBundle: source.caBundle };
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

    const served = storeKind === 'server' ? await storeProcess(dir) : undefined;
    if (served) stopStore = served.stop;
    const store: BackupStore = served?.store ?? new VolumeStore(dir);
    const client = new AgentClient({ token: agentToken(source.credentials.adminPassword) });
    const targetPrimary = stacks[1].record.snapshot().primary!;
    const targetLogin = { user: target.credentials.adminUser, password: target.credentials.adminPassword, caBundle: target.caBundle };
    const copy = { store, location: 'b/backups/b1', backupName: 'b1', target: addr(target, targetPrimary), login: targetLogin };
    let t = performance.now();
    let manifest;
    if (method === 'physical') {
      const beside = await agentBeside(source, replica.name);
      agents.push(beside.server);
      manifest = await copyToStore({ agents: client, source: beside.target, store, location: copy.location, now: () => new Date() });
    } else {
      manifest = await dumpToStore({ source: replica, login, databases: ['app'], store, location: copy.location, now: () => new Date() });
    }
    const backupS = (performance.now() - t) / 1000;
    t = performance.now();
    if (method === 'physical') {
      const beside = await agentBeside(target, targetPrimary);
      agents.push(beside.server);
      await Promise.all([
        restorePhysical({ ...copy, sha256: manifest.sha256, agents: client, agent: beside.target, credentials: target.credentials,
          engine: 'mariadb', gtidPosition: manifest.gtidPosition }),
        target.restart(targetPrimary),
      ]);
    } else {
      await restoreDump({ ...copy, sha256: manifest.sha256 });
    }
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
    // Per GiB of what was copied before compression (the SQL the dump wrote, or the physical copy's stream).
    const bytes = manifest.dumpedBytes;
    const gib = bytes / 2 ** 30;
    lags.sort((a, b) => a - b);
    process.stdout.write(`${JSON.stringify({
      bench: 'backup', engine: 'mariadb', method: manifest.method, store: storeKind, dumpedMiB: Math.round(bytes / 2 ** 20), storedMiB: +(manifest.size / 2 ** 20).toFixed(1),
      backupSeconds: +backupS.toFixed(2), restoreSeconds: +restoreS.toFixed(2),
      backupSecondsPerGiB: +(backupS / gib).toFixed(1), restoreSecondsPerGiB: +(restoreS / gib).toFixed(1),
      archiveIntervalMs: intervalMs, archiveLagSecondsMedian: +lags[lags.length >> 1].toFixed(2), archiveLagSecondsMax: +lags[lags.length - 1].toFixed(2),
    })}\n`);
  } finally {
    for (const a of agents) a.close();
    stopStore();
    await Promise.all(stacks.map((s) => s.manager.stop()));
    await Promise.all([source.close(), target.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:backup: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
