/**
 * MySQL 8.4 backups: the source's clone (a scripted MySQL 8.4 session that checks each statement
 * and, on CLONE LOCAL, writes a data directory as the server would), streamed by the real agent as
 * a tar archive (real tar, real files), gzipped and checksummed into a real volume store; the
 * stored archive unpacks to the same files, and the clone directory is gone afterwards.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { AgentClient, type AgentTarget } from '../../src/agent/client.js';
import { agentToken } from '../../src/agent/protocol.js';
import { createAgentServer } from '../../src/agent/server.js';
import { cloneToStore } from '../../src/backup/clone-backup.js';
import { VolumeStore } from '../../src/backup/volume-store.js';
import type { Row } from '../../src/mysql/sql/dialect.js';
import { CLONE_STATUS } from '../../src/mysql/sql/mysql-clone.js';
import type { SessionOpener } from '../../src/mysql/sql/sql-database.js';
import { scriptedSession } from '../support/scripted-session.js';

const PASSWORD = 'clone-backup-secret';
const GTID = '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-120,\n4f22fa47-71ca-11e1-9e33-c80aa9429562:1-7';

let work: string;
let server: Server;
let agent: AgentTarget & { name: string };
const agents = new AgentClient({ token: agentToken(PASSWORD) });

beforeEach(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'clone-backup-'));
  mkdirSync(path.join(work, 'volume', 'data'), { recursive: true });
  server = createAgentServer({ dataDir: path.join(work, 'volume', 'data'), socket: path.join(work, 'none.sock'), adminUser: 'admin', adminPassword: PASSWORD });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  agent = { name: 'shop-mysql-1', host: '127.0.0.1', port: (server.address() as AddressInfo).port };
});
afterEach(() => {
  server.close();
  rmSync(work, { recursive: true, force: true });
});

/** What CLONE LOCAL leaves: a data directory (system tablespace, undo, a schema's table, redo). */
const files: Record<string, Buffer> = {
  ibdata1: randomBytes(300_000),
  'undo_001': randomBytes(20_000),
  'mysql.ibd': randomBytes(50_000),
  'shop/orders.ibd': randomBytes(120_000),
  '#innodb_redo/#ib_redo0': randomBytes(40_000),
};

/** A MySQL 8.4 source: every statement logged; CLONE LOCAL writes `files` into its directory, or fails as told. */
function scriptedSource(outcome: 'completes' | Error) {
  const sent: { sql: string; timeoutMs?: number }[] = [];
  let clone: Row | undefined;
  const open = (queryMs: number): SessionOpener => (fn) => fn(scriptedSession(async (sql, timeoutMs = queryMs) => {
      sent.push({ sql, timeoutMs });
      const local = /^CLONE LOCAL DATA DIRECTORY = '([^']+)'$/.exec(sql);
      if (local) {
        if (outcome instanceof Error) throw outcome;
        if (existsSync(local[1])) throw new Error("ER_DB_CREATE_EXISTS: Can't create database; database exists");
        for (const [name, bytes] of Object.entries(files)) {
          mkdirSync(path.dirname(path.join(local[1], name)), { recursive: true });
          writeFileSync(path.join(local[1], name), bytes);
        }
        clone = { pid: 31, state: 'Completed', error_no: 0, error_message: '', source: 'LOCAL INSTANCE', begin_time: '2026-12-04 12:00:00.100000',
          duration_ms: 2300, begun_seconds_ago: 3, gtid_executed: GTID, binlog_file: 'binlog.000007', binlog_position: 1573,
          clone_sessions: 0, uptime: 86_400, bytes: 530_000 };
        return [];
      }
      if (sql === CLONE_STATUS) return clone ? [clone] : [];
      throw new Error(`unexpected statement ${sql}`);
  }));
  return { sent, open };
}

const backup = (open: (ms: number) => SessionOpener, store: VolumeStore) => cloneToStore({
  open, agents, source: agent, store, location: 'shop/shop/backups/nightly', backup: 'nightly', dataDir: path.join(work, 'volume', 'data'),
  cloneTimeoutMs: 600_000, now: () => new Date('2026-12-04T12:00:00Z'),
});

describe('MySQL 8.4 backups by CLONE LOCAL', () => {
  it('clones the source beside its data, streams the directory through its agent into the store, and removes it', async () => {
    const source = scriptedSource('completes');
    const store = new VolumeStore(path.join(work, 'store'));
    // What an attempt cut short left: removed before the clone, which wants a directory that does not exist.
    const cloneDir = path.join(work, 'volume', 'webstack-clone-nightly');
    mkdirSync(path.join(cloneDir, 'shop'), { recursive: true });
    writeFileSync(path.join(cloneDir, 'shop', 'half-copied.ibd'), 'partial');
    const manifest = await backup(source.open, store);
    expect(source.sent).toEqual([{ sql: `CLONE LOCAL DATA DIRECTORY = '${cloneDir}'`, timeoutMs: 600_000 }, { sql: CLONE_STATUS, timeoutMs: 10_000 }]);
    expect(existsSync(cloneDir)).toBe(false);

    const stored = readFileSync(path.join(work, 'store', 'shop/shop/backups/nightly/clone.tar.gz'));
    expect(manifest).toEqual({ method: 'physical', sha256: createHash('sha256').update(stored).digest('hex'), size: stored.length,
      dumpedBytes: gunzipSync(stored).length, gtidPosition: GTID.replace('\n', ''), startTime: '2026-12-04T12:00:00.000Z', completionTime: '2026-12-04T12:00:00.000Z' });
    expect(JSON.parse(readFileSync(path.join(work, 'store', 'shop/shop/backups/nightly/manifest.json'), 'utf8'))).toEqual(manifest);

    // What a restore unpacks as the new primary's data directory: the same files, byte for byte.
    const unpacked = path.join(work, 'unpacked');
    mkdirSync(unpacked);
    execFileSync('tar', ['-x', '-f', '-', '-C', unpacked], { input: gunzipSync(stored) });
    for (const [name, bytes] of Object.entries(files)) expect(readFileSync(path.join(unpacked, name)).equals(bytes)).toBe(true);
    const listed = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(path.join(dir, f)).isDirectory()
      ? listed(path.join(dir, f)).map((g) => `${f}/${g}`) : [f]));
    expect(listed(unpacked).sort()).toEqual(Object.keys(files).sort());
  });

  it('a clone the source refuses stores nothing and says why', async () => {
    const source = scriptedSource(new Error('shop-mysql-1 (10.0.0.11:3306): ER_CLONE_DDL_IN_PROGRESS: Concurrent DDL is performed during clone operation'));
    const store = new VolumeStore(path.join(work, 'store'));
    await expect(backup(source.open, store)).rejects.toThrow('Concurrent DDL is performed during clone operation');
    expect(await store.list('shop/')).toEqual([]);
  });

  it('the agent serves and removes only the clone directories it names, and says when one is missing', async () => {
    const sink = () => new PassThrough().resume();
    await expect(agents.removeCloneCopy(agent, 'nightly')).resolves.toBeUndefined();
    await expect(agents.removeCloneCopy(agent, '../data')).rejects.toThrow(/'\.\.\/data' is not a backup name/);
    expect(existsSync(path.join(work, 'volume', 'data'))).toBe(true);
    await expect(agents.cloneCopy(agent, 'nightly', sink())).rejects.toThrow(/clone copy from .*: no clone of backup nightly/);
    await expect(agents.cloneCopy(agent, '../data', sink())).rejects.toThrow(/'\.\.\/data' is not a backup name/);
    await expect(new AgentClient({ token: 'wrong' }).cloneCopy(agent, 'nightly', sink())).rejects.toThrow(/a valid bearer token is required/);
  });
});
