/**
 * Restoring a MySQL 8.4 backup (a clone's gzipped tar) into a new stack's primary: the real agent
 * unpacks it with real tar beside the data directory while checking its SHA-256, the rendered start
 * script (run for real with sh, a stand-in `mysqld` that records how it was started) swaps it in and
 * boots it once with the init SQL, and the restore talks to a scripted MySQL 8.4 session (no MySQL
 * server runs here). A corrupted archive is refused and leaves the data directory as it was.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { AgentClient, type AgentTarget } from '../../src/agent/client.js';
import { agentToken } from '../../src/agent/protocol.js';
import { createAgentServer } from '../../src/agent/server.js';
import { accountStatements, restorePhysical } from '../../src/backup/physical-restore.js';
import { CorruptBackupError } from '../../src/backup/restore.js';
import type { RunSql } from '../../src/backup/server-queries.js';
import { VolumeStore } from '../../src/backup/volume-store.js';
import type { WebStackBackup } from '../../src/api/backup-types.js';
import type { WebStack } from '../../src/api/types.js';
import { RestoreRefused, RestoreRunner } from '../../src/controller/backup/restore-runner.js';
import type { StackAccess } from '../../src/controller/backup/stack-access.js';
import type { KubeClient } from '../../src/kube/client.js';
import type { ManagerCredentials } from '../../src/mysql/ports.js';
import type { Row } from '../../src/mysql/sql/dialect.js';
import { mysqlDialect } from '../../src/mysql/sql/mysql-dialect.js';
import { mysqlBinlogTransactions } from '../../src/backup/mysql-binlog-file.js';
import { mysqlBinlog } from './mysql-binlog-builder.js';
import { RESTORE_DIR_SUFFIX, RESTORE_INIT_SQL, RESTORE_MARKER, renderStartScript } from '../../src/render/mysql-config.js';

const ADMIN_PASSWORD = `n3w'admin\\pw`;
const GTID = '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-120,4f22fa47-71ca-11e1-9e33-c80aa9429562:1-7';
const LOCATION = 'shop/shop/backups/nightly';
const BINLOGS = 'shop/shop/binlogs';
const credentials: ManagerCredentials = {
  adminUser: 'webstack-admin', adminPassword: ADMIN_PASSWORD, replicationUser: 'webstack-repl', replicationPassword: 'repl-secret',
  databaseName: 'app', appUser: 'app', appPassword: 'app-secret', exporterUser: 'webstack-exporter', exporterPassword: 'exporter-secret',
};

/** What CLONE LOCAL left in the source's clone directory, as the backup stored it. */
const files: Record<string, Buffer> = {
  ibdata1: randomBytes(200_000),
  'mysql.ibd': randomBytes(40_000),
  'shop/orders.ibd': randomBytes(90_000),
  '#innodb_redo/#ib_redo0': randomBytes(30_000),
};

let work: string;
let dataDir: string;
let server: Server;
let agent: AgentTarget;
const logged: string[] = [];
const agents = new AgentClient({ token: agentToken(ADMIN_PASSWORD) });

function cloneArchive(): Buffer {
  const dir = path.join(work, 'clone');
  for (const [name, bytes] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), bytes);
  }
  return gzipSync(execFileSync('tar', ['-c', '-f', '-', '-C', dir, '.'], { maxBuffer: 1 << 26 }));
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

const listed = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(path.join(dir, f)).isDirectory()
  ? listed(path.join(dir, f)).map((g) => `${f}/${g}`) : [f])).sort();

beforeEach(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'clone-restore-'));
  dataDir = path.join(work, 'volume', 'data');
  // The new stack's primary, initialized empty: what the restore replaces.
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(path.join(dataDir, 'auto.cnf'), '[auto]\nserver-uuid=new\n');
  logged.length = 0;
  server = createAgentServer({ dataDir, socket: path.join(work, 'none.sock'), adminUser: credentials.adminUser, adminPassword: ADMIN_PASSWORD,
    log: (message, fields) => logged.push(`${message} ${JSON.stringify(fields ?? {})}`) });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  agent = { host: '127.0.0.1', port: (server.address() as AddressInfo).port };
});
afterEach(() => {
  server.close();
  rmSync(work, { recursive: true, force: true });
});

/** Runs the rendered MySQL start script as a pod does; its `mysqld` records its arguments and its init file. */
function startPod(): { args: string[]; initFile?: string } {
  const script = path.join(work, 'start.sh');
  const mysqld = path.join(work, 'mysqld');
  writeFileSync(script, renderStartScript('mysql'));
  writeFileSync(mysqld, `#!/bin/sh
printf '%s\\n' "$@" > "${work}/mysqld.args"
for a in "$@"; do case "$a" in --init-file=*) cp "\${a#--init-file=}" "${work}/mysqld.init" ;; esac; done
`);
  chmodSync(mysqld, 0o755);
  rmSync(path.join(work, 'mysqld.init'), { force: true });
  const run = spawnSync('sh', [script], {
    env: { PATH: process.env.PATH, POD_NAME: 'copy-mysql-0', DATA_DIR: dataDir, CONFIG_FILE: path.join(work, 'webstack.cnf'), MYSQLD: mysqld },
    encoding: 'utf8', timeout: 20_000,
  });
  expect(run.status).toBe(0);
  const initFile = path.join(work, 'mysqld.init');
  return { args: readFileSync(path.join(work, 'mysqld.args'), 'utf8').trim().split('\n'), initFile: existsSync(initFile) ? readFileSync(initFile, 'utf8') : undefined };
}

/**
 * A MySQL 8.4 session on the restored primary: super-read-only until the manager promotes it (the
 * second look). Its applier, once started on the point-in-time channel, has brought gtid_executed to `replayed`.
 */
function scriptedPrimary(gtidHeld = true, tables: string[] = [], replayed = GTID) {
  const sent: string[] = [];
  let readOnlyLooks = 0;
  let applied = false;
  const sql = async (text: string): Promise<Row[]> => {
    sent.push(text);
    if (text === 'SELECT @@GLOBAL.server_id AS id') return [{ id: 100 }];
    if (/^(SET GLOBAL server_id|CHANGE REPLICATION SOURCE|STOP REPLICA|RESET REPLICA)/.test(text)) return [];
    if (text.startsWith('START REPLICA SQL_THREAD UNTIL')) {
      applied = true;
      return [];
    }
    if (text === `SELECT GTID_SUBSET('${replayed}', @@GLOBAL.gtid_executed) AS done, @@GLOBAL.gtid_executed AS executed`) return [{ done: applied ? 1 : 0 }];
    if (/^SELECT GTID_SUBSET\('[^']*', @@GLOBAL.gtid_executed\) AS past$/.test(text)) return [{ past: 0 }];
    if (text.startsWith('SELECT LAST_ERROR_NUMBER')) return [];
    if (text.startsWith('SELECT CONCAT(table_schema, \'.\', table_name) AS t FROM information_schema.tables')) return tables.map((t) => ({ t }));
    if (text === 'SELECT 1 AS up') return [{ up: 1 }];
    if (text === `SELECT GTID_SUBSET('${GTID}', @@GLOBAL.gtid_executed) AS held`) return [{ held: gtidHeld ? 1 : 0 }];
    if (text === 'SELECT @@GLOBAL.super_read_only AS ro') return [{ ro: ++readOnlyLooks < 2 ? 1 : 0 }];
    if (/^(CREATE|GRANT|ALTER) /.test(text)) return [];
    throw new Error(`unexpected statement ${text}`);
  };
  return { sent, sql };
}

const TARGET = { name: 'copy-mysql-0', host: '127.0.0.1', port: 3306 };

/** The restore runner for a new MySQL stack `copy` restoring backup `nightly` of `shop`, its SQL scripted. */
function runnerFor(store: VolumeStore, archive: Buffer, primary: ReturnType<typeof scriptedPrimary>, pointInTime?: string): { run: () => ReturnType<RestoreRunner['run']> } {
  const login = { user: credentials.adminUser, password: ADMIN_PASSWORD };
  const access = {
    instance: async () => TARGET, login: async () => login, store: async () => store, agents: () => agents,
    agentOf: () => ({ ...agent, name: TARGET.name }), credentials: async () => credentials,
  } as unknown as StackAccess;
  const backup = {
    apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStackBackup', metadata: { name: 'nightly', namespace: 'shop' }, spec: { stack: 'shop' },
    status: { phase: 'Completed', engine: 'mysql', method: 'physical', location: LOCATION, sha256: sha256(archive), gtidPosition: GTID,
      completionTime: '2026-12-04T10:00:05Z', binlogLocation: BINLOGS },
  } as WebStackBackup;
  const ws = {
    apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStack', metadata: { name: 'copy', namespace: 'shop' },
    spec: { apps: [{ name: 'web', image: 'web:1' }], database: { engine: 'mysql', restore: { backup: 'nightly' } } },
    status: { database: { primary: TARGET.name } },
  } as WebStack;
  const sql = (async (addr, given, text) => {
    expect([addr, given]).toEqual([TARGET, login]);
    return primary.sql(text);
  }) as RunSql;
  const runner = new RestoreRunner(access, { get: async () => backup } as unknown as KubeClient, true, sql);
  return { run: () => runner.run(ws, { backup: 'nightly', ...(pointInTime ? { pointInTime } : {}) }) };
}

const restore = (store: VolumeStore, archive: Buffer, sql: (text: string) => Promise<Row[]>) => restorePhysical({
  store, location: LOCATION, sha256: sha256(archive), backupName: 'nightly', agents, agent, target: TARGET,
  login: { user: credentials.adminUser, password: ADMIN_PASSWORD }, credentials, engine: 'mysql', gtidPosition: GTID, restartTimeoutMs: 20_000, sql,
});

async function waitForPhase(phase: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while ((await agents.restoreState(agent)).phase !== phase && Date.now() < deadline) await sleep(25);
  expect((await agents.restoreState(agent)).phase).toBe(phase);
}

/** Seconds on an idle machine, more on a loaded one (real tar, gzip and sh). */
const TIMEOUT_MS = 30_000;

describe('restoring a MySQL 8.4 backup into a new stack', () => {
  it('unpacks the clone checked, swaps it in at the next start with the admin password set once, then sets the accounts', async () => {
    const archive = cloneArchive();
    const store = new VolumeStore(path.join(work, 'store'));
    await store.put(`${LOCATION}/clone.tar.gz`, archive);
    const primary = scriptedPrimary();
    const restoring = restore(store, archive, primary.sql);

    await waitForPhase('ready');
    const stage = dataDir + RESTORE_DIR_SUFFIX;
    for (const [name, bytes] of Object.entries(files)) expect(readFileSync(path.join(stage, name)).equals(bytes)).toBe(true);
    expect(statSync(path.join(stage, RESTORE_INIT_SQL)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(path.join(stage, RESTORE_MARKER), 'utf8'))).toMatchObject({ donor: 'backup nightly', sha256: sha256(archive), gtid: '' });

    const first = startPod();
    expect(first.args).toEqual(expect.arrayContaining([`--datadir=${dataDir}`, '--super-read-only=ON', `--init-file=${dataDir}/${RESTORE_INIT_SQL}`]));
    expect(first.initFile?.split('\n').filter(Boolean)).toEqual([
      'SET SESSION sql_log_bin = 0;',
      'SET GLOBAL super_read_only = OFF;',
      'RESET REPLICA ALL;',
      `CREATE USER IF NOT EXISTS 'webstack-admin'@'%' IDENTIFIED BY 'n3w''admin\\\\pw';`,
      `ALTER USER 'webstack-admin'@'%' IDENTIFIED BY 'n3w''admin\\\\pw';`,
      "GRANT ALL PRIVILEGES ON *.* TO 'webstack-admin'@'%' WITH GRANT OPTION;",
      'SET GLOBAL super_read_only = ON;',
    ]);
    expect(existsSync(stage)).toBe(false);

    await restoring;
    expect(primary.sent).toEqual([
      'SELECT 1 AS up', `SELECT GTID_SUBSET('${GTID}', @@GLOBAL.gtid_executed) AS held`,
      'SELECT @@GLOBAL.super_read_only AS ro', 'SELECT @@GLOBAL.super_read_only AS ro',
      ...accountStatements(mysqlDialect, credentials),
    ]);
    expect(primary.sent).toContain("ALTER USER 'app'@'%' IDENTIFIED BY 'app-secret'");
    // The data directory is the clone's, the old one gone; the init SQL (the password) removed once forgotten.
    expect(listed(dataDir)).toEqual(Object.keys(files).sort());
    expect((await agents.restoreState(agent)).phase).toBe('idle');

    const second = startPod();
    expect(second.args.some((a) => a.startsWith('--init-file'))).toBe(false);
    expect(logged.join('\n')).not.toContain('n3w');
  }, TIMEOUT_MS);

  it('the restore runner takes a MySQL backup into a new MySQL stack after checking it holds no table', async () => {
    const archive = cloneArchive();
    const store = new VolumeStore(path.join(work, 'store'));
    await store.put(`${LOCATION}/clone.tar.gz`, archive);
    const primary = scriptedPrimary();
    const running = runnerFor(store, archive, primary).run();
    await waitForPhase('ready');
    startPod();
    await expect(running).resolves.toEqual({ phase: 'Completed', backup: 'nightly', message: `restored nightly (physical, GTID ${GTID}) into copy-mysql-0` });
    expect(primary.sent[0]).toMatch(/^SELECT CONCAT\(table_schema/);
    expect(primary.sent.slice(-1)).toEqual(accountStatements(mysqlDialect, credentials).slice(-1));
    expect(listed(dataDir)).toEqual(Object.keys(files).sort());
  }, TIMEOUT_MS);

  it('the restore runner replays the binlog archive to the point in time once the copy is in place', async () => {
    const archive = cloneArchive();
    const store = new VolumeStore(path.join(work, 'store'));
    await store.put(`${LOCATION}/clone.tar.gz`, archive);
    // Archived after the backup: 3e11...:121 at 10:00:10, :122 at 10:00:30.
    const source = GTID.split(':')[0];
    const binlog = mysqlBinlog([121, 122].map((gno, i) => ({ source, gno, commitUs: Date.parse('2026-12-04T10:00:10Z') * 1000 + i * 20e6 })),
      { previous: GTID });
    const contents = mysqlBinlogTransactions(binlog, 'binlog.000002');
    await store.put(`${BINLOGS}/shop-mysql-0/binlog.000002`, binlog);
    await store.put(`${BINLOGS}/shop-mysql-0/binlog.000002.index.json`, Buffer.from(JSON.stringify({ engine: 'mysql', ...contents, sha256: sha256(binlog), size: binlog.length })));
    await store.put(`${BINLOGS}/watermark.json`, Buffer.from(JSON.stringify({ time: Date.parse('2026-12-04T10:01:00Z') / 1000 })));
    const primary = scriptedPrimary(true, [], `${source}:1-121,${GTID.split(',')[1]}`);
    const running = runnerFor(store, archive, primary, '2026-12-04T10:00:20Z').run();
    await waitForPhase('ready');
    startPod();
    await expect(running).resolves.toEqual({
      phase: 'Completed', backup: 'nightly', pointInTime: '2026-12-04T10:00:20Z',
      message: `restored nightly (physical, GTID ${GTID}) into copy-mysql-0, then replayed 1 archived transaction(s) from 1 binlog file(s) (${source}:121), `
        + `stopped before ${source}:122, the first committed at or after 2026-12-04T10:00:20Z`,
    });
    // The accounts first (the copy's server), then the replay.
    const accounts = accountStatements(mysqlDialect, credentials);
    expect(primary.sent.indexOf(accounts[accounts.length - 1])).toBeLessThan(primary.sent.indexOf('SELECT @@GLOBAL.server_id AS id'));
    expect(primary.sent).toContain(`START REPLICA SQL_THREAD UNTIL SQL_BEFORE_GTIDS = '${source}:122' FOR CHANNEL 'pitr'`);
    expect(readdirSync(dataDir).filter((f) => f.startsWith('relay-bin'))).toEqual([]);
  }, TIMEOUT_MS);

  it('the restore runner refuses a MySQL stack that already holds tables, and uploads nothing', async () => {
    const archive = cloneArchive();
    const store = new VolumeStore(path.join(work, 'store'));
    await store.put(`${LOCATION}/clone.tar.gz`, archive);
    const run = runnerFor(store, archive, scriptedPrimary(true, ['app.orders'])).run();
    await expect(run).rejects.toThrow(RestoreRefused);
    await expect(run).rejects.toThrow("the stack's database already holds tables (app.orders): a restore never writes into a running stack");
    expect(listed(path.join(work, 'volume'))).toEqual(['data/auto.cnf']);
  }, TIMEOUT_MS);

  it('refuses a restored server whose gtid_executed lacks the backup\'s position', async () => {
    const archive = cloneArchive();
    const store = new VolumeStore(path.join(work, 'store'));
    await store.put(`${LOCATION}/clone.tar.gz`, archive);
    const restoring = restore(store, archive, scriptedPrimary(false).sql);
    await waitForPhase('ready');
    startPod();
    await expect(restoring).rejects.toThrow(`copy-mysql-0 restarted on backup nightly without its GTID position ${GTID} in gtid_executed`);
  }, TIMEOUT_MS);

  it('refuses a corrupted stored archive before anything reaches the stack', async () => {
    const archive = cloneArchive();
    const corrupted = Buffer.from(archive);
    corrupted[Math.floor(corrupted.length / 2)] ^= 0xff;
    const store = new VolumeStore(path.join(work, 'store'));
    await store.put(`${LOCATION}/clone.tar.gz`, corrupted);
    const run = restore(store, archive, scriptedPrimary().sql);
    await expect(run).rejects.toThrow(CorruptBackupError);
    await expect(run).rejects.toThrow(`backup nightly is corrupted: ${store.describe(`${LOCATION}/clone.tar.gz`)} has SHA-256 ${sha256(corrupted)}, the backup recorded ${sha256(archive)}`);
    expect(listed(path.join(work, 'volume'))).toEqual(['data/auto.cnf']);
  }, TIMEOUT_MS);

  it('the agent refuses corrupted bytes with a clear error and leaves the data directory as it was', async () => {
    const archive = cloneArchive();
    const corrupted = Buffer.from(archive);
    corrupted[Math.floor(corrupted.length / 2)] ^= 0xff;
    const upload = (bytes: Buffer, declared: string) => agents.restoreBackup(agent, { name: 'nightly', sha256: declared, format: 'clone-tar' }, Readable.from([bytes]));
    await expect(upload(corrupted, sha256(archive))).rejects.toThrow(/restoring backup nightly at .*: backup nightly (could not be unpacked|is corrupted)/);
    await expect(upload(archive, sha256(corrupted))).rejects.toThrow(
      `backup nightly is corrupted: received ${archive.length} bytes with SHA-256 ${sha256(archive)}, the backup recorded ${sha256(corrupted)}`);
    await expect(agents.restoreBackup(agent, { name: 'nightly', sha256: sha256(archive), format: 'zip' as 'clone-tar' }, Readable.from([archive])))
      .rejects.toThrow("x-webstack-backup-format: 'zip' is not one of mbstream, clone-tar");
    expect(listed(path.join(work, 'volume'))).toEqual(['data/auto.cnf']);
    expect((await agents.restoreState(agent)).phase).toBe('idle');
  }, TIMEOUT_MS);
});
