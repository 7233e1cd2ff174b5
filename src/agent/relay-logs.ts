/**
 * Archived binlog files placed as the relay log of the point-in-time channel (MySQL): a restore
 * replays them with the server's own applier (src/backup/mysql-replay.ts). The relay log of
 * channel `pitr` is `<relay_log>-pitr.NNNNNN` in the data directory with its index
 * `<relay_log>-pitr.index`, which lists the files (`./<name>` a line, oldest first), as the server
 * names its relay logs per channel. Each upload is checked against the SHA-256 the archive
 * recorded before it is put in place; the index is rewritten whole after each.
 */
import { createWriteStream, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { RELAY_LOG_BASENAME } from '../render/mysql-config.js';
import { CorruptUploadError } from './backup-restore.js';
import { measuring } from '../measuring-stream.js';

/** The replication channel a point-in-time restore applies the archive through. */
export const PITR_CHANNEL = 'pitr';
const BASE = `${RELAY_LOG_BASENAME}-${PITR_CHANNEL}`;
const FILE = new RegExp(`^${BASE}\\.[0-9]{6}$`);
export const MAX_RELAY_LOGS = 999_999;

export const relayLogName = (seq: number): string => `${BASE}.${String(seq).padStart(6, '0')}`;

function placed(dataDir: string): string[] {
  return readdirSync(dataDir).filter((f) => FILE.test(f)).sort();
}

function writeIndex(dataDir: string): void {
  const file = path.join(dataDir, `${BASE}.index`);
  writeFileSync(`${file}.tmp`, placed(dataDir).map((f) => `./${f}\n`).join(''));
  renameSync(`${file}.tmp`, file);
}

/** Writes relay log file number `seq` from `body`, refused (and nothing left) unless its SHA-256 is `sha256`. */
export async function placeRelayLog(dataDir: string, seq: number, sha256: string, body: Readable): Promise<{ name: string; bytes: number }> {
  const name = relayLogName(seq);
  const file = path.join(dataDir, name);
  const hashing = measuring();
  try {
    await pipeline(body, hashing.stream, createWriteStream(`${file}.part`));
    const { sha256: actual, size } = hashing.digest();
    if (actual !== sha256) throw new CorruptUploadError(`${name}: received ${size} bytes with SHA-256 ${actual}, the archive recorded ${sha256}`);
    renameSync(`${file}.part`, file);
    writeIndex(dataDir);
    return { name, bytes: size };
  } finally {
    rmSync(`${file}.part`, { force: true });
  }
}

/** Removes the channel's relay log files and index (what a replay, finished or cut short, left); their names. */
export function removeRelayLogs(dataDir: string): string[] {
  const files = [...placed(dataDir), ...readdirSync(dataDir).filter((f) => f.startsWith(`${BASE}.`) && (f.endsWith('.part') || f.endsWith('.index')))];
  for (const f of files) rmSync(path.join(dataDir, f), { force: true });
  return files;
}
