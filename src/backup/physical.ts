/**
 * A physical backup: the source instance's agent streams its mariadb-backup copy (mbstream, checked
 * against the agent's trailers), compressed with gzip and checksummed (SHA-256 of the stored bytes)
 * on its way to the store. The GTID position is read from the copy's binlog info file as it passes.
 */
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { AgentClient, AgentTarget } from '../agent/client.js';
import { BINLOG_INFO_FILES, parseBinlogInfo } from '../agent/mariadb-backup.js';
import { measuring } from '../measuring-stream.js';
import type { BackupManifest } from './dump.js';
import { MANIFEST_OBJECT, PHYSICAL_OBJECT } from './locations.js';
import { scanMbstream } from './mbstream-scan.js';
import type { BackupStore } from './store.js';

export const PHYSICAL_METHOD = 'physical';

export interface PhysicalCopyOptions {
  agents: AgentClient;
  /** The source instance's agent, and its pod name for messages. */
  source: AgentTarget & { name: string };
  store: BackupStore;
  /** Where in the store: `<location>/physical.mbstream.gz` and `<location>/manifest.json`. */
  location: string;
  now: () => Date;
}

export async function copyToStore(opts: PhysicalCopyOptions): Promise<BackupManifest> {
  const startTime = opts.now().toISOString();
  const scan = scanMbstream(BINLOG_INFO_FILES);
  const measure = measuring();
  const body = new PassThrough();
  const copied = pipeline(scan.stream, createGzip({ level: 6 }), measure.stream, body);
  const [stored, receipt] = await Promise.all([
    opts.store.put(`${opts.location}/${PHYSICAL_OBJECT}`, body),
    opts.agents.physicalCopy(opts.source, scan.stream).catch((err: unknown) => {
      body.destroy(err as Error);
      throw err;
    }),
    copied,
  ]);
  const info = BINLOG_INFO_FILES.map((name) => [name, scan.files().get(name)] as const).find(([, bytes]) => bytes);
  if (!info) throw new Error(`the physical copy of ${opts.source.name} has no binlog position (${BINLOG_INFO_FILES.join(' or ')}): is binary logging on?`);
  const gtidPosition = parseBinlogInfo(info[1]!.toString('utf8'), info[0]);
  if (!gtidPosition) throw new Error(`the physical copy of ${opts.source.name} has no GTID position (its binlog info is '${info[1]!.toString('utf8').trim()}')`);
  const { sha256, size } = measure.digest();
  if (size !== stored) throw new Error(`${opts.store.describe(opts.location)}: stored ${stored} bytes of ${size}`);
  const manifest: BackupManifest = {
    method: PHYSICAL_METHOD, sha256, size, dumpedBytes: receipt.bytes, gtidPosition, startTime, completionTime: opts.now().toISOString(),
  };
  await opts.store.put(`${opts.location}/${MANIFEST_OBJECT}`, Buffer.from(JSON.stringify(manifest, null, 2)));
  return manifest;
}
