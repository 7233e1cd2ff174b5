/**
 * The rendered start script, run for real with `sh` against Debian's mariadbd, the way a pod runs it.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import type { Loose } from './find.js';
import { renderDatabase } from '../../src/render/database.js';
import { DEFAULT_DATA_DIR } from '../../src/render/mysql-config.js';
import { startMariadbInstance, writeDatabaseFiles, type MariadbInstance } from '../support/mariadb-instance.js';
import { FIXED_CERTIFICATES, FIXED_CREDENTIALS, withSpec } from './fixtures.js';

const PASSWORD = `it's a \\ "secret" pa$$word`;

/** The readiness probe of a rendered mariadb StatefulSet. */
const probe: string[] = (() => {
  const [ws, spec] = withSpec({ database: { engine: 'mariadb' } });
  const sts = renderDatabase(ws, spec, FIXED_CREDENTIALS, FIXED_CERTIFICATES).find((o) => o.kind === 'StatefulSet') as Loose;
  return sts.spec.template.spec.containers[0].readinessProbe.exec.command;
})();

async function query(db: MariadbInstance, sql: string): Promise<RowDataPacket[]> {
  const conn = await db.connect();
  try {
    const [rows] = await conn.query<RowDataPacket[]>(sql);
    return rows;
  } finally {
    await conn.end();
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => path.join(dir, f))
    .filter((f) => statSync(f, { throwIfNoEntry: false })?.isFile());
}

describe('database start script on a real mariadbd', () => {
  let db: MariadbInstance;

  beforeAll(async () => {
    db = await startMariadbInstance({ podName: 'shop-mysql-2', adminUser: 'webstack-admin', adminPassword: PASSWORD });
  }, 120000);

  afterAll(async () => {
    await db?.cleanup();
  });

  /** The rendered probe, pointed at this instance's socket; its exit status. */
  const runProbe = (password: string) => spawnSync(probe[0], probe.slice(1).map((arg) => arg.replace(`${DEFAULT_DATA_DIR}/mysqld.sock`, db.socket)), {
    env: { PATH: process.env.PATH, ADMIN_USER: db.adminUser, ADMIN_PASSWORD: password }, timeout: 20000,
  }).status;

  it('comes up read-only, with server_id from the ordinal, replication logged and not started', async () => {
    const [vars] = await query(db, `SELECT @@server_id AS serverId, @@read_only AS readOnly, @@log_bin AS logBin,
      @@binlog_format AS binlogFormat, @@log_slave_updates AS logReplicaUpdates, @@gtid_strict_mode AS gtidStrict,
      @@report_host AS reportHost, @@rpl_semi_sync_slave_enabled AS semiSyncReplica,
      @@rpl_semi_sync_master_enabled AS semiSyncSource, @@sync_binlog AS syncBinlog`);
    expect(vars).toEqual({
      serverId: 102, readOnly: 1, logBin: 1, binlogFormat: 'ROW', logReplicaUpdates: 1, gtidStrict: 1,
      reportHost: 'shop-mysql-2', semiSyncReplica: 1, semiSyncSource: 0, syncBinlog: 1,
    });
    expect(await query(db, 'SHOW ALL SLAVES STATUS')).toEqual([]);
  });

  it('has no transactions of its own', async () => {
    const [gtids] = await query(db, 'SELECT @@gtid_binlog_pos AS binlogPos, @@gtid_current_pos AS currentPos, @@gtid_slave_pos AS replicaPos');
    expect(gtids).toEqual({ binlogPos: '', currentPos: '', replicaPos: '' });
  });

  it('has the admin account for any host, with every privilege and the grant option', async () => {
    const accounts = await query(db, "SELECT Host AS host FROM mysql.user WHERE User = 'webstack-admin'");
    expect(accounts.map((a) => a.host)).toEqual(['%']);
    const grants = (await query(db, 'SHOW GRANTS')).map((g) => Object.values(g)[0] as string);
    expect(grants.join('\n')).toMatch(/GRANT ALL PRIVILEGES ON \*\.\* TO `webstack-admin`@`%` .*WITH GRANT OPTION/);
  });

  it('keeps the admin password out of the process list, the server environment, the log and every file', () => {
    const pid = db.pid();
    expect(pid).toBeDefined();
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    expect(cmdline).toContain('--server-id=102');
    expect(cmdline).not.toContain(PASSWORD);
    expect(readFileSync(`/proc/${pid}/environ`, 'utf8')).not.toContain('ADMIN_PASSWORD');
    expect(db.output()).not.toContain(PASSWORD);
    const files = filesUnder(db.dir);
    expect(files.length).toBeGreaterThan(10);
    const needle = Buffer.from(PASSWORD);
    expect(files.filter((f) => readFileSync(f).includes(needle))).toEqual([]);
    expect(existsSync(`${db.dataDir}.init`)).toBe(false);
  });

  it.each([
    ['the admin password', PASSWORD, 0],
    ['a wrong password: a running server is alive whatever the account', 'wrong', 0],
  ])('answers the pod probe (real mariadb-admin on its socket) with %s', (_name, password, status) => {
    expect(runProbe(password)).toBe(status);
  });

  it('restarts on its data directory without initializing it again', async () => {
    const conn = await db.connect();
    await conn.query('SET SESSION sql_log_bin = 0');
    await conn.query('CREATE DATABASE survives_restart');
    await conn.end();
    await db.stop();
    await db.start();
    const dbs = (await query(db, 'SHOW DATABASES')).map((r) => r.Database as string);
    expect(dbs).toContain('survives_restart');
    expect(db.output().match(/start\.sh: initializing/g)).toHaveLength(1);
    expect(db.output().match(/start\.sh: starting/g)).toHaveLength(2);
    const [vars] = await query(db, 'SELECT @@server_id AS serverId, @@read_only AS readOnly, @@gtid_binlog_pos AS binlogPos');
    expect(vars).toEqual({ serverId: 102, readOnly: 1, binlogPos: '' });
    // A stopped server fails the probe.
    await db.stop();
    expect(runProbe(PASSWORD)).not.toBe(0);
  }, 120000);
});

describe('database start script: initialization edge cases', () => {
  const dirs: string[] = [];
  const newDir = () => {
    const d = mkdtempSync(path.join(tmpdir(), 'webstack-db-edge-'));
    dirs.push(d);
    return d;
  };
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('starts over after an initialization that was interrupted, with the async config, ordinal 0', async () => {
    const dir = newDir();
    mkdirSync(path.join(dir, 'data.init', 'mysql'), { recursive: true });
    writeFileSync(path.join(dir, 'data.init', 'ibdata1'), 'half-written');
    mkdirSync(path.join(dir, 'data'));
    const db = await startMariadbInstance({ podName: 'web-mysql-0', dir, replicationMode: 'async' });
    try {
      const [vars] = await query(db, 'SELECT @@server_id AS serverId, @@read_only AS readOnly, @@gtid_current_pos AS pos');
      expect(vars).toEqual({ serverId: 100, readOnly: 1, pos: '' });
      expect(existsSync(path.join(dir, 'data.init'))).toBe(false);
    } finally {
      await db.cleanup();
    }
  }, 120000);

  it('fails without leaving the temporary server behind when the admin account cannot be created', async () => {
    const dir = newDir();
    const { configFile, startScript } = writeDatabaseFiles(dir, 'semisync');
    const dataDir = path.join(dir, 'data');
    // Longer than any engine allows for a user name: CREATE USER fails.
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn('sh', [startScript], {
        env: {
          PATH: process.env.PATH, POD_NAME: 'shop-mysql-3', DATA_DIR: dataDir, CONFIG_FILE: configFile, MYSQLD: '/usr/sbin/mariadbd',
          ADMIN_USER: 'u'.repeat(300), ADMIN_PASSWORD: PASSWORD, SOCKET: path.join(dir, 's.sock'), BIND_ADDRESS: '127.0.0.1', PORT: '1',
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      // 'exit', not 'close': a leaked server would hold stderr open.
      child.on('exit', (code) => setTimeout(() => resolve({ code, stderr }), 200));
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/ERROR .*user name/i);
    expect(result.stderr).not.toContain(PASSWORD);
    expect(existsSync(dataDir)).toBe(false);
    const cmdline = (pid: string) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {
        return ''; // exited meanwhile
      }
    };
    const leaked = () => readdirSync('/proc').filter((pid) => /^\d+$/.test(pid) && cmdline(pid).includes(`--datadir=${dataDir}.init`));
    const deadline = Date.now() + 30000;
    while (leaked().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const left = leaked();
    for (const pid of left) process.kill(Number(pid), 'SIGKILL');
    expect(left).toEqual([]);
  }, 120000);

  const runScript = (env: Record<string, string>) => {
    const dir = newDir();
    const { configFile, startScript } = writeDatabaseFiles(dir, 'semisync');
    return spawnSync('sh', [startScript], {
      env: { PATH: process.env.PATH, DATA_DIR: path.join(dir, 'data'), CONFIG_FILE: configFile, MYSQLD: '/usr/sbin/mariadbd', ...env },
      encoding: 'utf8',
      timeout: 30000,
    });
  };

  it.each([
    ['no POD_NAME', { ADMIN_USER: 'a', ADMIN_PASSWORD: 'p' }, /POD_NAME is required/],
    ['a POD_NAME without ordinal', { POD_NAME: 'shop-mysql', ADMIN_USER: 'a', ADMIN_PASSWORD: 'p' }, /POD_NAME 'shop-mysql' does not end in -<ordinal>/],
    ['no ADMIN_PASSWORD on an empty data directory', { POD_NAME: 'shop-mysql-1', ADMIN_USER: 'a' }, /ADMIN_PASSWORD is required to initialize/],
    ['no ADMIN_USER on an empty data directory', { POD_NAME: 'shop-mysql-1', ADMIN_PASSWORD: 'p' }, /ADMIN_USER is required to initialize/],
  ])('refuses to start with %s', (_name, env, message) => {
    const result = runScript(env);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(message);
  });
});
