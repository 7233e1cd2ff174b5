/**
 * Point-in-time recovery's archive on MySQL 8.4: when the primary executed anything since the last
 * pass it closes its binlog (FLUSH BINARY LOGS, never written to the binlog itself), then each
 * closed file not yet stored is read through the primary's agent (the operator image carries no
 * MySQL client that reads 8.4 binlogs), checked against the agent's SHA-256 trailer, indexed
 * (mysql-binlog-file.ts: every event's CRC32 verified) and stored with its index under the
 * primary's name, as MariaDB's are. After a failover the new primary's files hold the same GTIDs
 * as the old one's; the replay plan takes each once. A rebuilt instance (the clone replaces its
 * data directory, binlogs included) numbers its binlogs from the start again: a closed file whose
 * name is archived with another size starts a new generation of that pod's files,
 * `<prefix>/<pod>@<n>/`, so no file of the new life is mistaken for one of the old.
 */
import { Writable } from 'node:stream';
import type { AgentClient, AgentTarget } from '../agent/client.js';
import type { Row } from '../mysql/sql/dialect.js';
import { INDEX_SUFFIX, knownArchived, writeWatermark, type ArchivePass, type ArchiveState } from './binlog-archive.js';
import { mysqlBinlogTransactions, type MysqlArchivedTransaction } from './mysql-binlog-file.js';
import { readAll, type BackupStore } from './store.js';

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

/** The pod's newest generation of archived files: 1 for `<prefix>/<pod>/`, n for `<prefix>/<pod>@<n>/`. */
function generationOf(state: ArchiveState, prefix: string, pod: string): number {
  let newest = 1;
  for (const key of state.archived) {
    const m = key.startsWith(`${prefix}/${pod}@`) ? /^@(\d+)\//.exec(key.slice(prefix.length + 1 + pod.length)) : null;
    if (m) newest = Math.max(newest, Number(m[1]));
  }
  return newest;
}

const directory = (prefix: string, pod: string, generation: number): string => `${prefix}/${pod}${generation > 1 ? `@${generation}` : ''}`;

/** The archived size of the file whose index is `indexKey`: from the listing, else from its index. */
async function archivedSize(store: BackupStore, state: ArchiveState, indexKey: string): Promise<number> {
  const known = state.sizes?.get(indexKey);
  if (known !== undefined) return known;
  const { size } = JSON.parse((await readAll(store, indexKey)).toString('utf8')) as { size?: number };
  state.sizes?.set(indexKey, size ?? -1);
  return size ?? -1;
}

export async function archiveMysqlBinlogs(opts: MysqlArchiveOptions): Promise<ArchivePass> {
  const { store, prefix, state } = opts;
  if (!state.sizes) {
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
  let generation = generationOf(state, prefix, opts.primary);
  for (const log of logs.slice(0, -1)) {
    const name = String(log.Log_name);
    let key = `${directory(prefix, opts.primary, generation)}/${name}`;
    if (state.archived.has(key + INDEX_SUFFIX)) {
      if (await archivedSize(store, state, key + INDEX_SUFFIX) === Number(log.File_size)) continue;
      generation += 1;
      key = `${directory(prefix, opts.primary, generation)}/${name}`;
    }
    const { bytes, sha256 } = await fetchBinlog(opts, name);
    const contents = mysqlBinlogTransactions(bytes, `${opts.primary}:${name}`);
    if (contents.truncatedAt !== undefined) {
      throw new Error(`${opts.primary}:${name} is closed but ends in a cut event at ${contents.truncatedAt} of ${bytes.length} bytes: not archived`);
    }
    if (contents.transactions.length > 0) await store.put(key, bytes);
    const index: MysqlBinlogIndexObject = { engine: 'mysql', server: contents.server, previous: contents.previous, transactions: contents.transactions, sha256, size: bytes.length };
    await store.put(key + INDEX_SUFFIX, Buffer.from(JSON.stringify(index)));
    state.archived.add(key + INDEX_SUFFIX);
    state.sizes?.set(key + INDEX_SUFFIX, bytes.length);
    stored.push(key);
  }
  state.position = position;
  await writeWatermark(store, prefix, started);
  return { stored, watermark: started };
}
