/**
 * A real mariadbd instance on 127.0.0.1, started exactly like a database pod: the rendered
 * server config and start script, run with `sh` and the pod's environment.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

import { tmpdir } from 'node:os';
import path from 'node:path';
import mysql, { type Connection } from 'mysql2/promise';
import { resolveSpec } from '../../src/api/defaults.js';
import type { ReplicationMode, WebStack } from '../../src/api/types.js';
import { renderServerConfig, renderStartScript, SERVER_CONFIG_KEY, START_SCRIPT_KEY } from '../../src/render/mysql-config.js';
import { freePort } from '../../src/sandbox/control-plane/index.js';

export const MARIADBD = '/usr/sbin/mariadbd';

export interface MariadbInstanceOptions {
  /** The pod name; its ordinal gives server_id 100 + ordinal. */
  podName: string;
  adminUser?: string;
  adminPassword?: string;
  replicationMode?: ReplicationMode;
  /** A directory to use (kept on cleanup); a new temporary one by default. */
  dir?: string;
  port?: number;
  /** Extra or overriding environment for the start script. */
  env?: Record<string, string>;
  readyTimeoutMs?: number;
  /**
   * The mounted `<stack>-mysql-tls` Secret (TLS_DIR of the start script). When it holds a CA bundle,
   * connect() uses TLS and verifies the server against it.
   */
  tlsDir?: string;
}

export interface MariadbInstance {
  readonly podName: string;
  readonly host: string;
  readonly port: number;
  readonly dir: string;
  readonly dataDir: string;
  /** The server's unix socket. */
  readonly socket: string;
  readonly adminUser: string;
  readonly adminPassword: string;
  /** The pid of the running server (the script execs it), or undefined when stopped. */
  pid(): number | undefined;
  /** Everything the script and the server wrote to stdout and stderr, across restarts. */
  output(): string;
  connect(): Promise<Connection>;
  /** SIGTERM and wait for exit: a clean shutdown. */
  stop(): Promise<void>;
  /** SIGKILL and wait for exit: a crash. */
  kill(): Promise<void>;
  /** Run the start script again on the same data directory and port. */
  start(): Promise<void>;
  /** Stop the server and remove the directory (unless it was given). */
  cleanup(): Promise<void>;
}


function stackWith(mode: ReplicationMode): WebStack {
  return {
    apiVersion: 'webstack.dev/v1alpha1',
    kind: 'WebStack',
    metadata: { name: 'test' },
    spec: { apps: [], database: { engine: 'mariadb', replication: { mode } } },
  };
}

/** Writes the rendered config and start script into `dir`; returns their paths. */
export function writeDatabaseFiles(dir: string, mode: ReplicationMode): { configFile: string; startScript: string } {
  const configFile = path.join(dir, SERVER_CONFIG_KEY);
  const startScript = path.join(dir, START_SCRIPT_KEY);
  writeFileSync(configFile, renderServerConfig(resolveSpec(stackWith(mode)).database));
  writeFileSync(startScript, renderStartScript('mariadb'));
  return { configFile, startScript };
}

function killGroup(proc: ChildProcess, sig: NodeJS.Signals): void {
  try {
    if (proc.pid) process.kill(-proc.pid, sig);
  } catch {
    // Already gone.
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startMariadbInstance(options: MariadbInstanceOptions): Promise<MariadbInstance> {
  const ownDir = !options.dir;
  const dir = options.dir ?? mkdtempSync(path.join(tmpdir(), 'webstack-db-'));
  const port = options.port ?? (await freePort());
  const adminUser = options.adminUser ?? 'webstack-admin';
  const adminPassword = options.adminPassword ?? 'test-admin-password';
  const dataDir = path.join(dir, 'data');
  // Its own temporary directory: two initializations sharing /tmp can collide on temporary tables.
  const tmp = path.join(dir, 'tmp');
  mkdirSync(tmp, { recursive: true });
  const socket = path.join(dir, 'mysqld.sock');
  const { configFile, startScript } = writeDatabaseFiles(dir, options.replicationMode ?? 'semisync');
  const readyTimeoutMs = options.readyTimeoutMs ?? 90000;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let log = '';

  const caFile = options.tlsDir && path.join(options.tlsDir, 'ca.crt');
  const connect = () => mysql.createConnection({
    host: '127.0.0.1', port, user: adminUser, password: adminPassword, connectTimeout: 5000,
    ssl: caFile && existsSync(caFile) ? { ca: readFileSync(caFile, 'utf8'), rejectUnauthorized: true } : undefined,
  });

  const start = async () => {
    const proc = spawn('sh', [startScript], {
      env: {
        PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
        POD_NAME: options.podName,
        DATA_DIR: dataDir,
        CONFIG_FILE: configFile,
        ADMIN_USER: adminUser,
        ADMIN_PASSWORD: adminPassword,
        PORT: String(port),
        BIND_ADDRESS: '127.0.0.1',
        SOCKET: socket,
        MYSQLD: MARIADBD,
        TMPDIR: tmp,
        ...(options.tlsDir ? { TLS_DIR: options.tlsDir } : {}),
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so a kill during initialization also reaches the temporary server.
      detached: true,
    });
    child = proc;
    proc.stdout?.on('data', (d: Buffer) => { log += d.toString(); });
    proc.stderr?.on('data', (d: Buffer) => { log += d.toString(); });
    exited = new Promise((resolve) => proc.once('exit', () => { if (child === proc) child = undefined; resolve(); }));
    const deadline = Date.now() + readyTimeoutMs;
    for (;;) {
      if (child !== proc) throw new Error(`start script for ${options.podName} exited before the server was ready:\n${log.slice(-3000)}`);
      try {
        const conn = await connect();
        await conn.end();
        return;
      } catch (err) {
        if (Date.now() > deadline) {
          killGroup(proc, 'SIGKILL');
          throw new Error(`${options.podName} not ready within ${readyTimeoutMs} ms (${String(err)}):\n${log.slice(-3000)}`, { cause: err });
        }
        await sleep(200);
      }
    }
  };

  const signal = async (sig: NodeJS.Signals) => {
    if (!child) return;
    killGroup(child, sig);
    await exited;
  };

  try {
    await start();
  } catch (err) {
    if (ownDir) rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    podName: options.podName,
    host: '127.0.0.1',
    port,
    dir,
    dataDir,
    socket,
    adminUser,
    adminPassword,
    pid: () => child?.pid,
    output: () => log,
    connect,
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
    start,
    cleanup: async () => {
      await signal('SIGTERM');
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
