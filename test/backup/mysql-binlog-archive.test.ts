/**
 * The MySQL 8.4 binlog archive: the real agent serves closed binlog files (byte-exact 8.4 files
 * built from the documented layout in a data directory, with the server's binlog index), the
 * archive pass talks to a scripted primary (no MySQL server runs here) and stores files and
 * indexes in a real volume store.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { AgentClient, type AgentTarget } from '../../src/agent/client.js';
import { agentToken } from '../../src/agent/protocol.js';
import { createAgentServer } from '../../src/agent/server.js';
import { readArchive, type ArchiveState } from '../../src/backup/binlog-archive.js';
import { archiveMysqlBinlogs, type MysqlBinlogIndexObject } from '../../src/backup/mysql-binlog-archive.js';
import type { RunSql } from '../../src/backup/server-queries.js';
import { VolumeStore } from '../../src/backup/volume-store.js';
import { binlogArchiveFor } from '../../src/controller/backup/pitr-engines.js';
import type { StackAccess } from '../../src/controller/backup/stack-access.js';
import type { Row } from '../../src/mysql/sql/dialect.js';
import { mysqlBinlog, type BuiltTransaction } from './mysql-binlog-builder.js';

const PASSWORD = 'admin-secret';
const A = '3e11fa47-71ca-11e1-9e33-c80aa9429562';
const T0 = 1_764_806_400_000_000;
const tx = (gno: number): BuiltTransaction => ({ source: A, gno, commitUs: T0 + gno * 1_000_000 });
const PREFIX = 'ns/shop/binlogs';

let work: string;
let dataDir: string;
let server: Server;
let agent: AgentTarget;
const agents = new AgentClient({ token: agentToken(PASSWORD) });
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

function writeBinlog(name: string, bytes: Buffer): void {
  writeFileSync(path.join(dataDir, name), bytes);
}

beforeEach(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'mysql-archive-'));
  dataDir = path.join(work, 'data');
  mkdirSync(dataDir);
  writeBinlog('binlog.000001', mysqlBinlog([tx(1), tx(2)]));
  writeBinlog('binlog.000002', mysqlBinlog([tx(3), tx(4)], { previous: `${A}:1-2` }));
  writeBinlog('binlog.000003', mysqlBinlog([tx(5)], { previous: `${A}:1-4`, inUse: true }));
  writeFileSync(path.join(dataDir, 'binlog.index'), './binlog.000001\n./binlog.000002\n./binlog.000003\n');
  server = createAgentServer({ dataDir, socket: path.join(work, 'none.sock'), adminUser: 'webstack-admin', adminPassword: PASSWORD });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  agent = { host: '127.0.0.1', port: (server.address() as AddressInfo).port };
});
afterEach(() => {
  server.close();
  rmSync(work, { recursive: true, force: true });
});

/**
 * A MySQL 8.4 primary: FLUSH BINARY LOGS closes the open file (clears its format description's
 * in-use flag, which its checksum leaves out) and opens the next, as the server does.
 */
function scriptedPrimary(executed: () => string) {
  const sent: string[] = [];
  const listed = (): string[] => readFileSync(path.join(dataDir, 'binlog.index'), 'utf8').trim().split('\n').map((l) => path.basename(l));
  const sql = async (text: string): Promise<Row[]> => {
    sent.push(text);
    if (text === 'SELECT @@GLOBAL.gtid_executed AS gtid') return [{ gtid: executed() }];
    if (text === 'FLUSH BINARY LOGS') {
      const names = listed();
      const open = path.join(dataDir, names[names.length - 1]);
      const bytes = readFileSync(open);
      bytes[4 + 17] &= ~1;
      writeFileSync(open, bytes);
      const next = `binlog.${String(names.length + 1).padStart(6, '0')}`;
      writeBinlog(next, mysqlBinlog([], { previous: executed(), inUse: true }));
      appendFileSync(path.join(dataDir, 'binlog.index'), `./${next}\n`);
      return [];
    }
    if (text === 'SHOW BINARY LOGS') {
      return listed().map((name) => ({ Log_name: name, File_size: statSync(path.join(dataDir, name)).size, Encrypted: 'No' }));
    }
    throw new Error(`unexpected statement ${text}`);
  };
  return { sent, sql };
}

function get(urlPath: string, token?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get({ ...agent, path: urlPath, headers: token ? { authorization: `Bearer ${token}` } : {} }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => { body += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).once('error', reject);
  });
}

describe('the agent serves closed binlog files', () => {
  it('streams a closed file with its SHA-256 trailer', async () => {
    const chunks: Buffer[] = [];
    const receipt = await agents.binlogFile(agent, 'binlog.000002', new Writable({ write: (c: Buffer, _e, cb) => { chunks.push(c); cb(); } }));
    const bytes = readFileSync(path.join(dataDir, 'binlog.000002'));
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
    expect(receipt).toEqual({ bytes: bytes.length, sha256: sha256(bytes) });
  });

  it.each([
    ['no token', '/v1/binlogs/binlog.000001', undefined, 401, 'a valid bearer token is required'],
    ['a path', `/v1/binlogs/${encodeURIComponent('../data/binlog.000001')}`, agentToken(PASSWORD), 400, 'is not a binlog file name'],
    ['another file', '/v1/binlogs/relay-bin.000001', agentToken(PASSWORD), 400, 'is not a binlog file name'],
    ['a file not in the index', '/v1/binlogs/binlog.000009', agentToken(PASSWORD), 404, 'binlog.000009 is not in the server\'s binlog index'],
    ['the file being written', '/v1/binlogs/binlog.000003', agentToken(PASSWORD), 409, 'binlog.000003 is still being written'],
  ])('refuses %s', async (_what, urlPath, token, status, message) => {
    const res = await get(urlPath, token);
    expect(res.status).toBe(status);
    expect(JSON.parse(res.body).error).toContain(message);
  });
});

describe('archiving a MySQL primary\'s binlogs', () => {
  it('closes the open file when something was executed, stores each closed file once with its index', async () => {
    const store = new VolumeStore(path.join(work, 'store'));
    const primary = scriptedPrimary(() => `${A}:1-5`);
    const state: ArchiveState = { archived: new Set() };
    const pass = () => archiveMysqlBinlogs({ primary: 'shop-mysql-0', sql: primary.sql, agents, agent, store, prefix: PREFIX, state, nowMs: () => 1_764_806_460_000 });

    expect(await pass()).toEqual({ stored: [1, 2, 3].map((n) => `${PREFIX}/shop-mysql-0/binlog.00000${n}`), watermark: 1_764_806_460 });
    expect(primary.sent).toEqual(['SELECT @@GLOBAL.gtid_executed AS gtid', 'FLUSH BINARY LOGS', 'SHOW BINARY LOGS']);
    for (const n of [1, 2, 3]) {
      const stored = await store.get(`${PREFIX}/shop-mysql-0/binlog.00000${n}`);
      const chunks: Buffer[] = [];
      for await (const c of stored) chunks.push(c as Buffer);
      expect(Buffer.concat(chunks).equals(readFileSync(path.join(dataDir, `binlog.00000${n}`)))).toBe(true);
    }
    const { indexes, watermark } = await readArchive<MysqlBinlogIndexObject>(store, PREFIX);
    expect(watermark).toBe(1_764_806_460);
    expect(indexes.map((i) => [i.key.split('/').pop(), i.previous, i.transactions.map((t) => t.gno)])).toEqual([
      ['binlog.000001', '', [1, 2]], ['binlog.000002', `${A}:1-2`, [3, 4]], ['binlog.000003', `${A}:1-4`, [5]],
    ]);
    expect(indexes[2]).toMatchObject({ engine: 'mysql', sha256: sha256(readFileSync(path.join(dataDir, 'binlog.000003'))), transactions: [{ ...tx(5), server: 100 }] });

    // Nothing executed since: no flush, nothing stored again.
    primary.sent.length = 0;
    expect((await pass()).stored).toEqual([]);
    expect(primary.sent).toEqual(['SELECT @@GLOBAL.gtid_executed AS gtid', 'SHOW BINARY LOGS']);
  });

  it('archives a rebuilt pod\'s files, numbered from the start again, as a new generation (an operator restarted in between)', async () => {
    const store = new VolumeStore(path.join(work, 'store'));
    const primary = scriptedPrimary(() => `${A}:1-5`);
    const pass = () => archiveMysqlBinlogs({ primary: 'shop-mysql-0', sql: primary.sql, agents, agent, store, prefix: PREFIX,
      state: { archived: new Set() }, nowMs: () => 0 });
    await pass();
    // The clone replaced the data directory: binlog.000001 again, other transactions.
    writeBinlog('binlog.000001', mysqlBinlog([tx(6), tx(7), tx(8)], { previous: `${A}:1-5` }));
    writeBinlog('binlog.000002', mysqlBinlog([], { previous: `${A}:1-8`, inUse: true }));
    writeFileSync(path.join(dataDir, 'binlog.index'), './binlog.000001\n./binlog.000002\n');
    const rebuilt = scriptedPrimary(() => `${A}:1-8`);
    const restarted: ArchiveState = { archived: new Set() };
    const after = () => archiveMysqlBinlogs({ primary: 'shop-mysql-0', sql: rebuilt.sql, agents, agent, store, prefix: PREFIX, state: restarted, nowMs: () => 0 });
    expect((await after()).stored).toEqual([`${PREFIX}/shop-mysql-0@2/binlog.000001`, `${PREFIX}/shop-mysql-0@2/binlog.000002`]);
    const { indexes } = await readArchive<MysqlBinlogIndexObject>(store, PREFIX);
    expect(indexes.map((i) => [i.key.slice(PREFIX.length + 1), i.transactions.map((t) => t.gno)]).sort((x, y) => (String(x[0]) < String(y[0]) ? -1 : 1))).toEqual([
      ['shop-mysql-0/binlog.000001', [1, 2]], ['shop-mysql-0/binlog.000002', [3, 4]], ['shop-mysql-0/binlog.000003', [5]],
      ['shop-mysql-0@2/binlog.000001', [6, 7, 8]], ['shop-mysql-0@2/binlog.000002', []],
    ]);
    expect((await after()).stored).toEqual([]);
  });

  it('is MySQL\'s way of archiving, chosen by engine, and needs the agents', async () => {
    const access = { agents: () => agents, agentOf: () => agent } as unknown as StackAccess;
    const primary = scriptedPrimary(() => `${A}:1-5`);
    const login = { user: 'webstack-admin', password: PASSWORD };
    const sql = (async (_addr: unknown, given: unknown, text: string) => {
      expect(given).toEqual(login);
      return primary.sql(text);
    }) as RunSql;
    const target = (store: VolumeStore) => ({ primary: { name: 'shop-mysql-1', host: '127.0.0.1', port: 3306 }, login, store, prefix: PREFIX,
      state: { archived: new Set<string>() }, nowMs: () => 0 });
    const store = new VolumeStore(path.join(work, 'store'));
    await expect(binlogArchiveFor('mysql', access, false, sql)(target(store))).rejects.toThrow('point-in-time recovery on MySQL reads and replays binlogs through the agent');
    expect((await binlogArchiveFor('mysql', access, true, sql)(target(store))).stored).toEqual([1, 2, 3].map((n) => `${PREFIX}/shop-mysql-1/binlog.00000${n}`));
  });

  it('refuses a damaged file by its checksums and stores nothing of it', async () => {
    const damaged = mysqlBinlog([tx(3), tx(4)], { previous: `${A}:1-2` });
    damaged[damaged.length - 50] ^= 0xff;
    writeBinlog('binlog.000002', damaged);
    const store = new VolumeStore(path.join(work, 'store'));
    const run = archiveMysqlBinlogs({ primary: 'shop-mysql-0', sql: scriptedPrimary(() => `${A}:1-5`).sql, agents, agent, store, prefix: PREFIX,
      state: { archived: new Set() }, nowMs: () => 0 });
    await expect(run).rejects.toThrow(/^shop-mysql-0:binlog\.000002: the event at \d+ \(type \d+\) fails its CRC32 checksum/);
    expect((await store.list(`${PREFIX}/`)).map((o) => o.key.split('/').pop())).toEqual(['binlog.000001', 'binlog.000001.index.json']);
  });
});
