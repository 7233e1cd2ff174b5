/**
 * A data directory the stack's start script initialized (its admin account, no transaction of its
 * own), made once per machine (under the temp dir) for a start script, server configuration, admin
 * account and server version, and copied into each new test instance: initializing costs seconds
 * of CPU per instance (mariadb-install-db and a temporary server), a copy a fraction of one. The
 * initialization itself is tested for real by test/render/mysql-start-script.test.ts and by every
 * sandbox test, whose database pods start empty.
 */
import { spawn, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { freePort } from '../../src/sandbox/control-plane/index.js';
import { eventually } from './eventually.js';

const MARIADBD = '/usr/sbin/mariadbd';

export interface TemplateInputs {
  /** The rendered start script and server configuration, as text. */
  script: string;
  config: string;
  adminUser: string;
  adminPassword: string;
}

/** One directory per key; a key not used for a day (an older script or configuration) is removed when a new one is made. */
const TEMPLATES = path.join(os.tmpdir(), 'webstack-mariadb-initialized');
const UNUSED_FOR_MS = 24 * 3_600_000;

/** Built once per test file and key; other files (other jest workers) find it on disk. */
const building = new Map<string, Promise<string>>();

/** Copies an initialized data directory for `inputs` into the empty directory `dataDir`. */
export async function copyInitializedDataDir(dataDir: string, inputs: TemplateInputs): Promise<void> {
  const version = execFileSync(MARIADBD, ['--version'], { encoding: 'utf8' });
  const key = createHash('sha256').update(JSON.stringify({ ...inputs, version })).digest('hex').slice(0, 16);
  const template = path.join(TEMPLATES, key);
  if (!existsSync(template)) {
    if (!building.has(key)) building.set(key, build(template, inputs));
    await building.get(key);
  }
  const now = new Date();
  utimesSync(template, now, now);
  cpSync(template, dataDir, { recursive: true });
}

/**
 * Runs the start script on an empty directory until its server answers, shuts the server down
 * cleanly, and keeps the directory without the binary log the server opened at its first boot (a
 * new instance opens its own). Moved into place in one rename: a concurrent build of the same
 * template loses the race harmlessly.
 */
async function build(template: string, inputs: TemplateInputs): Promise<string> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'webstack-mariadb-template-'));
  try {
    const script = path.join(work, 'start.sh');
    const config = path.join(work, 'webstack.cnf');
    const dataDir = path.join(work, 'data');
    const socketPath = path.join(work, 'mysqld.sock');
    writeFileSync(script, inputs.script);
    writeFileSync(config, inputs.config);
    mkdirSync(dataDir);
    mkdirSync(path.join(work, 'tmp'));
    const child = spawn('sh', [script], {
      env: {
        PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', TMPDIR: path.join(work, 'tmp'),
        POD_NAME: 'template-mysql-0', DATA_DIR: dataDir, CONFIG_FILE: config, ADMIN_USER: inputs.adminUser, ADMIN_PASSWORD: inputs.adminPassword,
        PORT: String(await freePort()), BIND_ADDRESS: '127.0.0.1', SOCKET: socketPath, MYSQLD: MARIADBD, INSTALL_DB: 'mariadb-install-db', CLIENT: 'mariadb',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    child.stderr.on('data', (d: Buffer) => { log += d.toString(); });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const answered = await eventually('the template instance answering', async () => {
        if (child.exitCode !== null) return 'exited';
        const conn = await mysql.createConnection({ socketPath, user: inputs.adminUser, password: inputs.adminPassword });
        await conn.end();
        return 'answered';
      }, 120_000, 100);
      if (answered === 'exited') throw new Error(`the start script exited with ${child.exitCode}: ${log.slice(-2000)}`);
    } finally {
      child.kill('SIGTERM');
    }
    if (await exited !== 0) throw new Error(`the template instance did not shut down cleanly: ${log.slice(-2000)}`);
    for (const entry of readdirSync(dataDir)) {
      if (/^(binlog|relay-bin)\.|^mysqld\.pid$/.test(entry)) rmSync(path.join(dataDir, entry));
    }
    mkdirSync(TEMPLATES, { recursive: true });
    try {
      renameSync(dataDir, template);
    } catch (err) {
      if (!existsSync(template)) throw err;
    }
    for (const other of readdirSync(TEMPLATES)) {
      const dir = path.join(TEMPLATES, other);
      if (dir !== template && Date.now() - statSync(dir).mtimeMs > UNUSED_FOR_MS) rmSync(dir, { recursive: true, force: true });
    }
    return template;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
