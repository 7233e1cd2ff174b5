/**
 * Point-in-time recovery's archive: copies of the primary's binlog files, each closed before it is
 * copied (FLUSH LOCAL BINARY LOGS when there is something new), read with `mariadb-binlog
 * --read-from-remote-server --raw` and stored with an index of its transactions. After a failover
 * the new primary's files are archived under its own name; they hold the same GTIDs, and the replay
 * plan takes each transaction once.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { InstanceAddress } from '../mysql/ports.js';
import { BinlogScanner, type ArchivedTransaction } from './binlog-file.js';
import { connectionArgs, runTool, type Login } from './client-tools.js';
import type { BinlogIndex } from './replay-plan.js';
import { binlogPosition, query } from './server-queries.js';
import { readAll, type BackupStore } from './store.js';

/** Beside each archived file: its index (JSON). */
export const INDEX_SUFFIX = '.index.json';
export const WATERMARK = 'watermark.json';

export interface ArchiveState {
  /** Index keys known to be stored. */
  archived: Set<string>;
  /** The primary's @@gtid_binlog_pos when its files were last all archived. */
  position?: string;
  /** The size on its server of each archived file, by index key, as far as known. */
  sizes?: Map<string, number>;
}

export interface ArchivePass {
  /** Binlog files stored by this pass. */
  stored: string[];
  /** Seconds: every transaction stamped before it is archived. */
  watermark: number;
}

/** Fills `state.archived` from the store once (an operator restarted, or a new leader). */
export async function knownArchived(store: BackupStore, prefix: string, state: ArchiveState): Promise<void> {
  if (state.archived.size > 0) return;
  for (const o of await store.list(`${prefix}/`)) if (o.key.endsWith(INDEX_SUFFIX)) state.archived.add(o.key);
}

const directory = (prefix: string, pod: string, generation: number): string => `${prefix}/${pod}${generation > 1 ? `@${generation}` : ''}`;

/**
 * Where a pod's closed binlog files go: `<prefix>/<pod>/`, then `<prefix>/<pod>@<n>/` for each new
 * life. A rebuilt instance (its data directory replaced by a copy, which holds no binlogs) numbers
 * its binlogs from the start again: a name archived with another size on its server starts the
 * pod's next generation, so no file of the new life is taken for an old one of the same name.
 */
export class ArchivePlacement {
  private generation = 1;

  constructor(private readonly store: BackupStore, private readonly state: ArchiveState, private readonly prefix: string, private readonly pod: string) {
    for (const key of state.archived) {
      const m = key.startsWith(`${prefix}/${pod}@`) ? /^@(\d+)\//.exec(key.slice(prefix.length + 1 + pod.length)) : null;
      if (m) this.generation = Math.max(this.generation, Number(m[1]));
    }
  }

  /** The key of file `name`, `size` bytes on its server; undefined when it is archived already. */
  async keyFor(name: string, size: number): Promise<string | undefined> {
    const key = `${directory(this.prefix, this.pod, this.generation)}/${name}`;
    if (!this.state.archived.has(key + INDEX_SUFFIX)) return key;
    const archived = await this.archivedSize(key + INDEX_SUFFIX);
    // An index from before sizes were recorded: the same file, as then.
    if (archived === undefined || archived === size) return undefined;
    this.generation += 1;
    return `${directory(this.prefix, this.pod, this.generation)}/${name}`;
  }

  /** Records what was stored under `key`. */
  archived(key: string, size: number): void {
    this.state.archived.add(key + INDEX_SUFFIX);
    (this.state.sizes ??= new Map()).set(key + INDEX_SUFFIX, size);
  }

  private async archivedSize(indexKey: string): Promise<number | undefined> {
    if (this.state.sizes?.has(indexKey)) return this.state.sizes.get(indexKey);
    const { size } = JSON.parse((await readAll(this.store, indexKey)).toString('utf8')) as { size?: number };
    if (size !== undefined) (this.state.sizes ??= new Map()).set(indexKey, size);
    return size;
  }
}

/** Copies a file of the server's binlog through the replication protocol into `dir`; its path there. */
async function fetchBinlog(primary: InstanceAddress, login: Login, file: string, dir: string): Promise<string> {
  const tool = runTool('mariadb-binlog', [...connectionArgs(primary, login), '--read-from-remote-server', '--raw', `--result-file=${dir}/`, file], login);
  tool.child.stdin.end();
  await tool.done;
  return path.join(dir, file);
}

/** The transactions of a binlog file on disk, read in chunks (a file may be up to max_binlog_size, 1 GiB by default). */
async function transactionsIn(file: string): Promise<ArchivedTransaction[]> {
  const scanner = new BinlogScanner();
  for await (const chunk of createReadStream(file)) scanner.push(chunk as Buffer);
  return scanner.finish();
}

/** One pass: close the current file if anything was written, then store every closed file not yet stored. */
export async function archiveBinlogs(primary: InstanceAddress, login: Login, store: BackupStore, prefix: string,
  state: ArchiveState, nowMs: () => number): Promise<ArchivePass> {
  await knownArchived(store, prefix, state);
  const started = Math.floor(nowMs() / 1000);
  const position = await binlogPosition(primary, login);
  if (position !== state.position) await query(primary, login, 'FLUSH LOCAL BINARY LOGS');
  const logs = await query<{ Log_name: string; File_size: number | string }>(primary, login, 'SHOW BINARY LOGS');
  const placement = new ArchivePlacement(store, state, prefix, primary.name);
  const stored: string[] = [];
  const dir = await mkdtemp(path.join(os.tmpdir(), 'webstack-binlog-'));
  try {
    for (const { Log_name: file, File_size: fileSize } of logs.slice(0, -1)) {
      const size = Number(fileSize);
      const key = await placement.keyFor(file, size);
      if (!key) continue;
      const copy = await fetchBinlog(primary, login, file, dir);
      const transactions = await transactionsIn(copy);
      if (transactions.length > 0) await store.put(key, createReadStream(copy));
      // size: the file's on its server (SHOW BINARY LOGS), which the next passes compare.
      await store.put(key + INDEX_SUFFIX, Buffer.from(JSON.stringify({ transactions, size })));
      placement.archived(key, size);
      stored.push(key);
      await rm(copy, { force: true });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  state.position = position;
  await writeWatermark(store, prefix, started);
  return { stored, watermark: started };
}

/** The pass's end: every transaction stamped before `time` (seconds) is archived. */
export async function writeWatermark(store: BackupStore, prefix: string, time: number): Promise<void> {
  await store.put(`${prefix}/${WATERMARK}`, Buffer.from(JSON.stringify({ time })));
}

/** Every archived file's index (MariaDB's by default; MySQL's say so), and the watermark. */
export async function readArchive<I extends object = Omit<BinlogIndex, 'key'>>(store: BackupStore, prefix: string):
  Promise<{ indexes: (I & { key: string })[]; watermark?: number }> {
  const objects = await store.list(`${prefix}/`);
  const indexes: (I & { key: string })[] = [];
  for (const o of objects.filter((x) => x.key.endsWith(INDEX_SUFFIX))) {
    const index = JSON.parse((await readAll(store, o.key)).toString('utf8')) as I;
    indexes.push({ ...index, key: o.key.slice(0, -INDEX_SUFFIX.length) });
  }
  const mark = objects.some((o) => o.key === `${prefix}/${WATERMARK}`)
    ? (JSON.parse((await readAll(store, `${prefix}/${WATERMARK}`)).toString('utf8')) as { time: number }).time
    : undefined;
  return { indexes, watermark: mark };
}
