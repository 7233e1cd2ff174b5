/**
 * The agent on real mariadbd instances: a physical copy streamed with its trailers, a rebuild
 * abandoned mid-copy (stopped, nothing left behind), a rebuild of one instance from another's copy
 * (then it replicates from where the copy was taken), a fence by SIGKILL, and the token that guards
 * every endpoint.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import { AgentClient, AgentError, type AgentTarget } from '../../src/agent/client.js';
import { agentToken, AGENT_PATHS } from '../../src/agent/protocol.js';
import { createAgentServer } from '../../src/agent/server.js';
import { mariadbDialect } from '../../src/mysql/sql/mariadb-dialect.js';
import { RESTORE_DIR_SUFFIX } from '../../src/render/mysql-config.js';
import { eventually } from '../support/eventually.js';
import { startMariadbInstance, type MariadbInstance } from '../support/mariadb-instance.js';

const PASSWORD = 'agent-test-password';

async function listen(server: Server): Promise<AgentTarget> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { host: '127.0.0.1', port: (server.address() as AddressInfo).port };
}

/** What each agent reported, by data directory. */
const agentLogs = new Map<string, string[]>();

function agentFor(db: MariadbInstance): Server {
  const lines: string[] = [];
  agentLogs.set(db.dataDir, lines);
  return createAgentServer({ dataDir: db.dataDir, socket: db.socket, adminUser: db.adminUser, adminPassword: PASSWORD,
    log: (message, fields) => lines.push(`${message} ${JSON.stringify(fields ?? {})}`) });
}

/** The pids of the processes one of whose arguments names `text`. */
function processesNaming(text: string): number[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').some((arg) => arg.includes(text));
    } catch {
      return false;
    }
  }).map(Number);
}

async function scalar(db: MariadbInstance, sql: string): Promise<string> {
  const conn = await db.connect();
  try {
    const [rows] = await conn.query(sql);
    return String(Object.values((rows as Record<string, unknown>[])[0])[0]);
  } finally {
    await conn.end();
  }
}

async function run(db: MariadbInstance, ...sql: string[]): Promise<void> {
  const conn = await db.connect();
  try {
    for (const s of sql) await conn.query(s);
  } finally {
    await conn.end();
  }
}

describe('agent on real MariaDB', () => {
  let donor: MariadbInstance;
  let target: MariadbInstance;
  const servers: Server[] = [];
  let donorAgent: AgentTarget;
  let targetAgent: AgentTarget;
  const client = new AgentClient({ token: agentToken(PASSWORD) });

  beforeAll(async () => {
    [donor, target] = await Promise.all([
      startMariadbInstance({ podName: 'shop-mysql-0', adminPassword: PASSWORD, replicationMode: 'async' }),
      startMariadbInstance({ podName: 'shop-mysql-1', adminPassword: PASSWORD, replicationMode: 'async' }),
    ]);
    await run(donor, 'SET GLOBAL read_only = OFF', 'CREATE DATABASE shop', 'CREATE TABLE shop.orders (id INT PRIMARY KEY, note TEXT)',
      ...Array.from({ length: 20 }, (_, i) => `INSERT INTO shop.orders VALUES (${i}, REPEAT('x', 1000))`));
    // A transaction of the target's own, which the rebuild must replace.
    await run(target, 'SET GLOBAL read_only = OFF', 'CREATE DATABASE lost', 'SET GLOBAL read_only = ON');
    servers.push(agentFor(donor), agentFor(target));
    donorAgent = await listen(servers[0]);
    targetAgent = await listen(servers[1]);
  }, 120000);

  afterAll(async () => {
    for (const s of servers) s.close();
    await Promise.all([donor?.cleanup(), target?.cleanup()]);
  });

  it('refuses a request without the token, and one with another stack\'s token', async () => {
    const stranger = new AgentClient({ token: agentToken('another-password') });
    await expect(stranger.disk(donorAgent)).rejects.toMatchObject({ status: 401 });
    const status = await new Promise<number | undefined>((resolve, reject) => {
      http.get({ ...donorAgent, path: AGENT_PATHS.disk }, (res) => { res.resume(); resolve(res.statusCode); }).once('error', reject);
    });
    expect(status).toBe(401);
  });

  it('reports the data directory and the volume', async () => {
    const disk = await client.disk(donorAgent);
    expect(disk.dataBytes).toBeGreaterThan(1_000_000);
    expect(disk.volumeBytes).toBeGreaterThan(disk.volumeFreeBytes);
  });

  it('streams a physical copy whose trailers match what arrived', async () => {
    const hash = createHash('sha256');
    let bytes = 0;
    const receipt = await client.physicalCopy(donorAgent, new Writable({
      write(chunk: Buffer, _enc, done) { hash.update(chunk); bytes += chunk.length; done(); },
    }));
    expect(receipt).toEqual({ bytes, sha256: hash.digest('hex') });
    expect(bytes).toBeGreaterThan(1_000_000);
  }, 60000);

  it('stops a rebuild abandoned while it copies: the donor\'s backup ends, nothing staged is left, and the next one starts afresh', async () => {
    const stage = target.dataDir + RESTORE_DIR_SUFFIX;
    const donorLog = agentLogs.get(donor.dataDir)!;
    const servedBefore = donorLog.filter((l) => l.startsWith('copy served')).length;
    expect((await client.startRestore(targetAgent, { donor: donorAgent })).phase).toBe('copying');
    // Its unpacker stopped, the copy can't finish: it stays in flight, the donor's backup blocked on a full pipe.
    const [unpacker] = await eventually('the target unpacking the copy', () => processesNaming(stage).length === 1 && processesNaming(stage), 10000, 10);
    process.kill(unpacker, 'SIGSTOP');
    await eventually('the donor serving its copy', () => donorLog.some((l) => l.startsWith('serving a copy')), 10000, 20);
    expect(await client.restoreState(targetAgent)).toMatchObject({ phase: 'copying' });
    await client.forgetRestore(targetAgent);
    expect(await client.restoreState(targetAgent)).toEqual({ phase: 'idle' });
    expect(existsSync(stage)).toBe(false);
    expect(processesNaming(stage)).toEqual([]);
    expect(agentLogs.get(target.dataDir)!.at(-1)).toMatch(/^stopped the rebuild in progress .*"phase":"copying"/);
    const served = await eventually('the donor\'s backup ended with the stream', () => {
      const lines = donorLog.filter((l) => l.startsWith('copy served'));
      return lines.length > servedBefore && lines.at(-1);
    }, 20000, 50);
    expect(served).toContain('"ok":false');
    // The next rebuild, from this state, is the test below.
  }, 60000);

  it('rebuilds an instance from a donor; it boots at the copy\'s GTID and replicates the rest', async () => {
    const copiedAt = await scalar(donor, 'SELECT @@gtid_binlog_pos');
    const started = await client.startRestore(targetAgent, { donor: donorAgent });
    expect(started.phase).toBe('copying');
    await expect(client.startRestore(targetAgent, { donor: donorAgent })).rejects.toMatchObject({ status: 409 });
    // The agent fences the server once the copy is ready; a pod would restart its container.
    await eventually('the target fenced after its copy is ready', () => target.pid() === undefined, 60000);
    const ready = await client.restoreState(targetAgent);
    expect(ready).toMatchObject({ phase: 'ready', gtid: copiedAt, donor: `${donorAgent.host}:${donorAgent.port}` });
    await run(donor, "INSERT INTO shop.orders VALUES (100, 'after the copy')");
    await target.start();
    expect(existsSync(target.dataDir + RESTORE_DIR_SUFFIX)).toBe(false);
    expect(await client.restoreState(targetAgent)).toMatchObject({ phase: 'restored', gtid: copiedAt });
    expect(await scalar(target, 'SELECT @@gtid_slave_pos')).toBe(copiedAt);
    // What the manager runs before pointing a replica keeps the copy's position (its binlog is empty).
    await run(target, ...mariadbDialect.alignReplicaPosition());
    expect(await scalar(target, 'SELECT @@gtid_slave_pos')).toBe(copiedAt);
    expect(await scalar(target, "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'lost'")).toBe('0');
    await run(target, `CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = ${donor.port}, MASTER_USER = '${donor.adminUser}', `
      + `MASTER_PASSWORD = '${PASSWORD}', MASTER_USE_GTID = slave_pos`, 'START SLAVE');
    await eventually('the rebuilt target replicating the row written after the copy',
      async () => await scalar(target, 'SELECT COUNT(*) FROM shop.orders') === '21', 20000);
    await client.forgetRestore(targetAgent);
    expect(await client.restoreState(targetAgent)).toEqual({ phase: 'idle' });
    // The init SQL ran at the first boot only.
    await target.stop();
    await target.start();
    expect(existsSync(path.join(target.dataDir, 'webstack-restore-init.sql'))).toBe(false);
  }, 120000);

  it('fences by SIGKILL of the server, and says so when none runs', async () => {
    const before = target.output().length;
    await client.fence(targetAgent);
    await eventually('the fenced server gone', () => target.pid() === undefined, 10000);
    // A graceful shutdown would have logged it (and let waiting commits complete).
    expect(target.output().slice(before)).not.toMatch(/shutdown/i);
    await expect(client.fence(targetAgent)).rejects.toBeInstanceOf(AgentError);
    await target.start();
  }, 60000);
});
