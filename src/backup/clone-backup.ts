/**
 * A MySQL 8.4 backup: the source replica clones itself with CLONE LOCAL DATA DIRECTORY (InnoDB's
 * consistent physical copy, no prepare step) into a directory beside its data directory; its GTID
 * position is what clone_status recorded for that clone; the instance's agent streams the directory
 * as a tar archive (checked against its trailers) and removes it; the archive is gzipped and
 * checksummed (SHA-256 of the stored bytes) on its way to the store.
 */
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { AgentClient, AgentTarget } from '../agent/client.js';
import { cloneDirectory } from '../agent/clone-copy.js';
import { measuring } from '../measuring-stream.js';
import { CLONE_STATUS, cloneLocalStatement, parseCloneStatus } from '../mysql/sql/mysql-clone.js';
import type { SessionOpener } from '../mysql/sql/sql-database.js';
import { DEFAULT_DATA_DIR } from '../render/mysql-config.js';
import type { BackupManifest } from './dump.js';
import { PHYSICAL_METHOD } from './physical.js';
import { CLONE_OBJECT, MANIFEST_OBJECT } from './locations.js';
import type { BackupStore } from './store.js';

export interface CloneBackupOptions {
  /** A session on the source with the admin account, each statement bounded by `queryMs`. */
  open: (queryMs: number) => SessionOpener;
  agents: AgentClient;
  /** The source instance's agent, and its pod name for messages. */
  source: AgentTarget & { name: string };
  store: BackupStore;
  /** Where in the store: `<location>/clone.tar.gz` and `<location>/manifest.json`. */
  location: string;
  /** The WebStackBackup's name: it names the clone directory. */
  backup: string;
  /** The source's data directory in its pod (default the start script's): the clone goes beside it. */
  dataDir?: string;
  /** How long the clone may take. */
  cloneTimeoutMs: number;
  now: () => Date;
}

const STATUS_TIMEOUT_MS = 10_000;

export async function cloneToStore(opts: CloneBackupOptions): Promise<BackupManifest> {
  const startTime = opts.now().toISOString();
  const dir = cloneDirectory(opts.dataDir ?? DEFAULT_DATA_DIR, opts.backup);
  // An attempt cut short (say the operator restarted) leaves its directory, and a clone refuses one that exists.
  await opts.agents.removeCloneCopy(opts.source, opts.backup);
  await opts.open(opts.cloneTimeoutMs)((s) => s.query(cloneLocalStatement(dir), opts.cloneTimeoutMs));
  const clone = parseCloneStatus(await opts.open(STATUS_TIMEOUT_MS)((s) => s.query(CLONE_STATUS)));
  if (clone.state !== 'completed') {
    throw new Error(`the clone of ${opts.source.name} into ${dir} is ${clone.state}${clone.state === 'failed' ? `: ${clone.error}` : ''}`);
  }
  if (!clone.gtid) throw new Error(`the clone of ${opts.source.name} records no GTID position (clone_status.GTID_EXECUTED): is gtid_mode on?`);
  const measure = measuring();
  const tar = new PassThrough();
  const body = new PassThrough();
  const compressed = pipeline(tar, createGzip({ level: 6 }), measure.stream, body);
  const [stored, receipt] = await Promise.all([
    opts.store.put(`${opts.location}/${CLONE_OBJECT}`, body),
    opts.agents.cloneCopy(opts.source, opts.backup, tar).catch((err: unknown) => {
      body.destroy(err as Error);
      throw err;
    }),
    compressed,
  ]);
  const { sha256, size } = measure.digest();
  if (size !== stored) throw new Error(`${opts.store.describe(opts.location)}: stored ${stored} bytes of ${size}`);
  const manifest: BackupManifest = {
    method: PHYSICAL_METHOD, sha256, size, dumpedBytes: receipt.bytes, gtidPosition: clone.gtid, startTime, completionTime: opts.now().toISOString(),
  };
  await opts.store.put(`${opts.location}/${MANIFEST_OBJECT}`, Buffer.from(JSON.stringify(manifest, null, 2)));
  return manifest;
}
