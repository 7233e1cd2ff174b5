/**
 * Point-in-time recovery's archive on MySQL 8.4: when the primary executed anything since the last
 * pass it closes its binlog (FLUSH BINARY LOGS, never written to the binlog itself), then each
 * closed file not yet stored is read through the primary's agent (the operator image carries no
 * MySQL client that reads 8.4 binlogs), checked against the agent's SHA-256 trailer, indexed
 * (mysql-binlog-file.ts: every event's CRC32 verified) and stored with its index under the
 * primary's name, as MariaDB's are. After a failover the new primary's files hold the same GTIDs
 * as the old one's; the replay plan takes each once. A rebuilt instance's files (the clone
 * replaces its binlogs too) go to a new generation of the pod's (ArchivePlacement).
 */
import { Writable } from 'node:stream';
import type { AgentClient, AgentTarget } from '../agent/client.js';
import type { Row } from '../mysql/sql/dialect.js';
import { ArchivePlacement, INDEX_SUFFIX, knownArchived, writeWatermark, type ArchivePass, type ArchiveState } from './binlog-archive.js';
import { mysqlBinlogTransactions, type MysqlArchivedTransaction } from './mysql-binlog-file.js';
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

async function fetchBinlog(opts: MysqlArchiveOptions, name: string): Promise<{ bytes: Buffer; sha256: string }> {
  const chunks: Buffer[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _e, cb) => { chunks.push(chunk); cb(); } });
  const receipt = await opts.agents.binlogFile(opts.agent, name, sink);
  return { bytes: Buffer.concat(chunks), sha256: receipt.sha256 };
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
  const stored: string[] = [];
  const placement = new ArchivePlacement(store, state, prefix, opts.primary);
  for (const log of logs.slice(0, -1)) {
    const name = String(log.Log_name);
    const key = await placement.keyFor(name, Number(log.File_size));
    if (!key) continue;
    const { bytes, sha256 } = await fetchBinlog(opts, name);
    const contents = mysqlBinlogTransactions(bytes, `${opts.primary}:${name}`);
    if (contents.truncatedAt !== undefined) {
      throw new Error(`${opts.primary}:${name} is closed but ends in a cut event at ${contents.truncatedAt} of ${bytes.length} bytes: not archived`);
    }
    if (contents.transactions.length > 0) await store.put(key, bytes);
    const index: MysqlBinlogIndexObject = { engine: 'mysql', server: contents.server, previous: contents.previous, transactions: contents.transactions, sha256, size: bytes.length };
    await store.put(key + INDEX_SUFFIX, Buffer.from(JSON.stringify(index)));
    placement.archived(key, bytes.length);
    stored.push(key);
  }
  state.position = position;
  await writeWatermark(store, prefix, started);
  return { stored, watermark: started };
}
