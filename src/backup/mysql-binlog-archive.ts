/**
 * Point-in-time recovery's archive on MySQL 8.4: when the primary executed anything since the last
 * pass it closes its binlog (FLUSH BINARY LOGS, never written to the binlog itself), then each
 * closed file not yet stored is read through the primary's agent (the operator image carries no
 * MySQL client that reads 8.4 binlogs) into a temporary file, indexed as it arrives
 * (mysql-binlog-file.ts: every event's CRC32 verified), checked against the agent's SHA-256
 * trailer, and stored with its index under the primary's name, as MariaDB's are. After a failover the new primary's files hold the same GTIDs
 * as the old one's; the replay plan takes each once. A rebuilt instance's files (the clone
 * replaces its binlogs too) go to a new generation of the pod's (ArchivePlacement).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AgentClient, AgentTarget } from '../agent/client.js';
import type { Row } from '../mysql/sql/dialect.js';
import { ArchivePlacement, INDEX_SUFFIX, knownArchived, writeWatermark, type ArchivePass, type ArchiveState } from './binlog-archive.js';
import { MysqlBinlogIndexer, type MysqlArchivedTransaction, type MysqlBinlogContents } from './mysql-binlog-file.js';
import type { BackupStore } from './store.js';

/** What a MySQL file's index object holds. */
export interface MysqlBinlogIndexObject {
  engine: 'mysql';
  /** The server_id of the server that wrote it. */
  server: number;
  previous: string;
  transactions: MysqlArchivedTransaction[];
  /** Of the stored file: checked again when a restore hands it to the server. */
  sha256: string;
  size: number;
}

export interface MysqlArchiveOptions {
  /** The primary's pod name: its files go under `<prefix>/<primary>/`. */
  primary: string;
  /** One statement on the primary as the admin. */
  sql: (text: string) => Promise<Row[]>;
  agents: AgentClient;
  agent: AgentTarget;
  store: BackupStore;
  prefix: string;
  state: ArchiveState;
  nowMs: () => number;
}

/** Streams a closed file from the agent into `file`, indexing it on the way (one event in memory at a time). */
async function fetchBinlog(opts: MysqlArchiveOptions, name: string, file: string): Promise<{ contents: MysqlBinlogContents; bytes: number; sha256: string }> {
  const indexer = new MysqlBinlogIndexer(`${opts.primary}:${name}`);
  const sink = new PassThrough();
  const indexing = new Transform({
    transform(chunk: Buffer, _e, cb) {
      try {
        indexer.push(chunk);
        cb(null, chunk);
      } catch (err) {
        cb(err as Error);
      }
    },
  });
  const [copied, written] = await Promise.allSettled([opts.agents.binlogFile(opts.agent, name, sink), pipeline(sink, indexing, createWriteStream(file))]);
  // A file refused while it was read (say a checksum) cuts the copy short: that refusal is the error to report.
  if (written.status === 'rejected') throw written.reason;
  if (copied.status === 'rejected') throw copied.reason;
  return { contents: indexer.finish(), bytes: copied.value.bytes, sha256: copied.value.sha256 };
}

/** Stores each closed file (`logs`: rows of SHOW BINARY LOGS) not archived yet, through `dir`; their keys. */
async function archiveClosed(opts: MysqlArchiveOptions, logs: Row[], dir: string): Promise<string[]> {
  const placement = new ArchivePlacement(opts.store, opts.state, opts.prefix, opts.primary);
  const stored: string[] = [];
  for (const log of logs) {
    const name = String(log.Log_name);
    const key = await placement.keyFor(name, Number(log.File_size));
    if (!key) continue;
    const file = path.join(dir, name);
    const { contents, bytes, sha256 } = await fetchBinlog(opts, name, file);
    if (contents.truncatedAt !== undefined) {
      throw new Error(`${opts.primary}:${name} is closed but ends in a cut event at ${contents.truncatedAt} of ${bytes} bytes: not archived`);
    }
    if (contents.transactions.length > 0) await opts.store.put(key, createReadStream(file));
    const index: MysqlBinlogIndexObject = { engine: 'mysql', server: contents.server, previous: contents.previous, transactions: contents.transactions, sha256, size: bytes };
    await opts.store.put(key + INDEX_SUFFIX, Buffer.from(JSON.stringify(index)));
    placement.archived(key, bytes);
    stored.push(key);
    await rm(file, { force: true });
  }
  return stored;
}

export async function archiveMysqlBinlogs(opts: MysqlArchiveOptions): Promise<ArchivePass> {
  const { store, prefix, state } = opts;
  if (!state.sizes) {
    // A stored file is byte for byte the server's (the agent reads it): the listing gives its size.
    state.sizes = new Map();
    for (const o of await store.list(`${prefix}/`)) {
      if (o.key.endsWith(INDEX_SUFFIX)) state.archived.add(o.key);
      else state.sizes.set(o.key + INDEX_SUFFIX, o.size);
    }
  }
  await knownArchived(store, prefix, state);
  const started = Math.floor(opts.nowMs() / 1000);
  const [executed] = await opts.sql('SELECT @@GLOBAL.gtid_executed AS gtid');
  const position = String(executed?.gtid ?? '');
  if (position !== state.position) await opts.sql('FLUSH BINARY LOGS');
  const logs = await opts.sql('SHOW BINARY LOGS');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'webstack-binlog-'));
  let stored: string[];
  try {
    stored = await archiveClosed(opts, logs.slice(0, -1), dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  state.position = position;
  await writeWatermark(store, prefix, started);
  return { stored, watermark: started };
}
