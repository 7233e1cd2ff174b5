/**
 * N real mariadbd instances on 127.0.0.1, each started the way a database pod starts: `sh start.sh`
 * with the stack's rendered server configuration (src/render/mysql-config.ts), on a copy of a data
 * directory that script initialized (mariadb-template.ts); an instance rebuilt here starts empty
 * and initializes for real. Helpers crash
 * (SIGKILL), hang (SIGSTOP), resume (SIGCONT) and restart (same data directory and port) an
 * instance; close() stops everything and removes the temp directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { resolveSpec } from '../../src/api/defaults.js';
import type { ReplicationMode } from '../../src/api/types.js';
import type { ManagerCredentials, InstanceAddress } from '../../src/mysql/ports.js';
import { renderServerConfig, renderStartScript } from '../../src/render/mysql-config.js';
import type { Partitions } from '../../src/sandbox/runtime/partitions.js';
import { eventually } from './eventually.js';
import { copyInitializedDataDir } from './mariadb-template.js';
import { newTestCertificates, writeTlsDir } from './database-tls.js';
import type { DatabaseCertificates } from '../../src/pki/database-certificates.js';
import { freePort } from '../../src/sandbox/control-plane/index.js';

export interface ClusterInstance extends InstanceAddress {
  dataDir: string;
  /** The server's unix socket (an agent beside it connects there). */
  socket: string;
  tmpDir: string;
  process?: ChildProcess;
  /** Output of the start script and server, for failure messages. */
  log: string[];
}

export interface ClusterOptions {
  size: number;
  stack?: string;
  replicationMode?: ReplicationMode;
  /**
   * Each instance on a loopback address of its own and in a partition endpoint of its own (named
   * after it), so tests can cut instances apart.
   */
  partitions?: Partitions;
  /** Serve TLS with the stack's certificate and require it, as a pod mounting it does (default true). */
  tls?: boolean;
}

/** A loopback address of its own for an instance, from its (free) port. */
function ownAddress(port: number): string {
  return `127.31.${port >> 8}.${port & 255}`;
}



export class MariadbCluster {
  readonly instances: ClusterInstance[] = [];
  readonly credentials: ManagerCredentials;
  /** The CA bundle clients verify the instances against; undefined without TLS. */
  readonly caBundle?: string;
  /** The stack's CA and server certificate the instances serve; undefined without TLS. */
  readonly certificates?: DatabaseCertificates;
  /** Where the instances find their certificate, key and CA bundle (TLS_DIR); undefined without TLS. */
  readonly tlsDirectory?: string;
  private readonly root: string;
  private readonly scriptPath: string;
  private readonly configPath: string;

  constructor(private readonly opts: ClusterOptions, certificates: DatabaseCertificates | undefined) {
    this.root = mkdtempSync(path.join(os.tmpdir(), 'webstack-mariadb-'));
    const db = resolveSpec({
      apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStack', metadata: { name: opts.stack ?? 'shop' },
      spec: { apps: [], database: { engine: 'mariadb', replicas: opts.size, replication: { mode: opts.replicationMode ?? 'semisync' } } },
    }).database;
    this.scriptPath = path.join(this.root, 'start.sh');
    this.configPath = path.join(this.root, 'webstack.cnf');
    writeFileSync(this.scriptPath, renderStartScript('mariadb'));
    writeFileSync(this.configPath, renderServerConfig(db));
    if (certificates) {
      this.certificates = certificates;
      this.caBundle = certificates.caBundle;
      this.tlsDirectory = writeTlsDir(path.join(this.root, 'tls'), certificates);
    }
    this.credentials = {
      adminUser: 'webstack-admin', adminPassword: 'Adm1n-secret-pw',
      replicationUser: 'webstack-repl', replicationPassword: 'Repl-secret-pw',
      databaseName: 'app', appUser: 'app', appPassword: 'App-secret-pw', exporterUser: 'webstack-exporter', exporterPassword: 'Exp0rter-secret-pw',
    };
  }

  async start(): Promise<this> {
    const stack = this.opts.stack ?? 'shop';
    for (let i = 0; i < this.opts.size; i++) {
      const dataDir = path.join(this.root, `data-${i}`);
      const tmpDir = path.join(this.root, `tmp-${i}`);
      mkdirSync(dataDir);
      mkdirSync(tmpDir);
      await copyInitializedDataDir(dataDir, { script: readFileSync(this.scriptPath, 'utf8'), config: readFileSync(this.configPath, 'utf8'),
        adminUser: this.credentials.adminUser, adminPassword: this.credentials.adminPassword });
      const port = await freePort();
      const name = `${stack}-mysql-${i}`;
      const host = this.opts.partitions ? ownAddress(port) : '127.0.0.1';
      this.opts.partitions?.add(name, host);
      this.instances.push({ name, host, port, dataDir, socket: path.join(this.root, `${name}.sock`), tmpDir, log: [] });
    }
    await Promise.all(this.instances.map((i) => this.launch(i)));
    return this;
  }

  get(name: string): ClusterInstance {
    const i = this.instances.find((x) => x.name === name);
    if (!i) throw new Error(`no instance ${name}`);
    return i;
  }

  addresses(): InstanceAddress[] {
    return this.instances.map(({ name, host, port }) => ({ name, host, port, ...(this.tlsDirectory ? { tls: true } : {}) }));
  }

  private async launch(inst: ClusterInstance): Promise<void> {
    const command = this.opts.partitions ? this.opts.partitions.wrap(inst.name, 'sh', [this.scriptPath]) : { command: 'sh', args: [this.scriptPath] };
    const child = spawn(command.command, command.args, {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        // A pod has a /tmp of its own; a shared one lets concurrent initializations trip over each other's temp tables.
        TMPDIR: inst.tmpDir,
        POD_NAME: inst.name, DATA_DIR: inst.dataDir, CONFIG_FILE: this.configPath,
        ADMIN_USER: this.credentials.adminUser, ADMIN_PASSWORD: this.credentials.adminPassword,
        PORT: String(inst.port), BIND_ADDRESS: inst.host, SOCKET: inst.socket,
        REPORT_HOST: inst.name, MYSQLD: '/usr/sbin/mariadbd', INSTALL_DB: 'mariadb-install-db', CLIENT: 'mariadb',
        ...(this.tlsDirectory ? { TLS_DIR: this.tlsDirectory } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    inst.process = child;
    const keep = (b: Buffer) => { inst.log.push(b.toString()); if (inst.log.length > 200) inst.log.shift(); };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    let exited = false;
    child.once('exit', () => { exited = true; });
    await eventually(`${inst.name} to accept connections`, async () => {
      if (exited) return true;
      const c = await this.connect(inst.name);
      await c.end();
      return true;
    }, 120_000, 200);
    if (exited) throw new Error(`${inst.name} exited during start: ${inst.log.join('').slice(-2000)}`);
  }

  /** An admin connection. */
  connect(name: string, user?: { user: string; password: string }): Promise<mysql.Connection> {
    const i = this.get(name);
    return mysql.createConnection({
      host: i.host, port: i.port, connectTimeout: 2000,
      user: user?.user ?? this.credentials.adminUser, password: user?.password ?? this.credentials.adminPassword,
      ssl: this.ssl(),
    });
  }

  /** mysql2's TLS options for a client of this cluster: the chain verified against its CA. */
  ssl(): { ca: string; rejectUnauthorized: true } | undefined {
    return this.caBundle ? { ca: this.caBundle, rejectUnauthorized: true } : undefined;
  }

  async query<T = Record<string, unknown>>(name: string, sql: string, params: unknown[] = []): Promise<T[]> {
    const c = await this.connect(name);
    try {
      const [rows] = await c.query({ sql, values: params, timeout: 20_000 });
      return rows as T[];
    } finally {
      await c.end().catch(() => undefined);
    }
  }

  private exited(inst: ClusterInstance): Promise<void> {
    const p = inst.process;
    if (!p || p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => p.once('exit', () => resolve()));
  }

  async kill(name: string): Promise<void> {
    const inst = this.get(name);
    inst.process?.kill('SIGKILL');
    await this.exited(inst);
  }

  /** SIGTERM, as the kubelet stops a deleted pod: the server shuts down cleanly. */
  async shutdown(name: string): Promise<void> {
    const inst = this.get(name);
    inst.process?.kill('SIGTERM');
    await this.exited(inst);
  }

  /** SIGSTOP, returning once the kernel shows the process stopped (a signal is delivered asynchronously). */
  stop(name: string): void {
    const child = this.get(name).process;
    if (!child?.pid || !child.kill('SIGSTOP')) return;
    const until = Date.now() + 2000;
    const stopped = () => /^\d+ \(.*\) [Tt] /.test(readFileSync(`/proc/${child.pid}/stat`, 'utf8'));
    while (!stopped() && Date.now() < until);
  }

  cont(name: string): void {
    this.get(name).process?.kill('SIGCONT');
  }

  /** Start a killed instance again on the same data directory and port, as a restarted pod would. */
  async restart(name: string): Promise<void> {
    const inst = this.get(name);
    await this.exited(inst);
    await this.launch(inst);
  }

  /** SIGKILL (even of a hung instance), then start again on the same data: a pod deleted with grace 0. */
  async hardRestart(name: string): Promise<void> {
    await this.kill(name);
    await this.restart(name);
  }

  /** What an operator does to a quarantined instance: throw its data away and start it empty. */
  async rebuild(name: string): Promise<void> {
    const inst = this.get(name);
    inst.process?.kill('SIGCONT');
    await this.kill(name);
    rmSync(inst.dataDir, { recursive: true, force: true });
    mkdirSync(inst.dataDir);
    await this.launch(inst);
  }

  async close(): Promise<void> {
    await Promise.all(this.instances.map(async (i) => {
      i.process?.kill('SIGCONT');
      i.process?.kill('SIGKILL');
      await this.exited(i);
    }));
    rmSync(this.root, { recursive: true, force: true });
  }
}

export async function startMariadbCluster(opts: ClusterOptions): Promise<MariadbCluster> {
  const cluster = new MariadbCluster(opts, opts.tls ?? true ? await newTestCertificates(opts.stack ?? 'shop') : undefined);
  try {
    return await cluster.start();
  } catch (err) {
    await cluster.close();
    throw err;
  }
}

export interface AckedWrite {
  id: number;
  /** server_id of the server that committed and acknowledged it. */
  serverId: number;
  at: number;
}

/**
 * An application writing in a loop: one autocommit INSERT at a time, each row tagged with the
 * server_id of the server that took it (INSERT ... RETURNING). `target` says where the primary is
 * now (a follower of the record, or a proxy standing in for the primary Service); a failed or
 * timed-out write drops the connection and tries again with a new id, since its outcome is unknown.
 */
export class WriteLoop {
  readonly acked: AckedWrite[] = [];
  failures = 0;
  private nextId: number;
  private running = false;
  private done?: Promise<void>;

  constructor(
    private readonly target: () => { host: string; port: number } | undefined,
    private readonly user: { user: string; password: string; database: string },
    opts: { table?: string; writeTimeoutMs?: number; firstId?: number; ssl?: { ca: string; rejectUnauthorized: true } } = {},
  ) {
    this.ssl = opts.ssl;
    this.table = opts.table ?? 'writes';
    this.writeTimeoutMs = opts.writeTimeoutMs ?? 3000;
    this.nextId = opts.firstId ?? 1;
  }

  private readonly table: string;
  private readonly writeTimeoutMs: number;
  private readonly ssl?: { ca: string; rejectUnauthorized: true };

  start(): void {
    this.running = true;
    this.done = this.loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }

  private async loop(): Promise<void> {
    let conn: mysql.Connection | undefined;
    let connectedTo = '';
    const drop = () => { conn?.destroy(); conn = undefined; };
    while (this.running) {
      const t = this.target();
      const key = t ? `${t.host}:${t.port}` : '';
      if (conn && key !== connectedTo) drop();
      try {
        if (!t) throw new Error('no primary');
        if (!conn) {
          conn = await mysql.createConnection({ host: t.host, port: t.port, user: this.user.user, password: this.user.password,
            database: this.user.database, connectTimeout: 1000, ssl: this.ssl });
          conn.on('error', () => undefined);
          connectedTo = key;
        }
        const id = this.nextId++;
        const [rows] = await conn.query({ sql: `INSERT INTO ${this.table} (id, server_id) VALUES (?, @@server_id) RETURNING server_id`,
          values: [id], timeout: this.writeTimeoutMs });
        const serverId = Number((rows as Record<string, unknown>[])[0]?.server_id);
        this.acked.push({ id, serverId, at: Date.now() });
      } catch {
        this.failures++;
        drop();
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    drop();
  }
}
