/**
 * Loading a backup into a new stack's primary: the stored dump is checksummed first, whole, and
 * refused when it is not what the backup recorded; only then is it decompressed into the server.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { InstanceAddress } from '../mysql/ports.js';
import { connectionArgs, runTool, type Login } from './client-tools.js';
import { DUMP_OBJECT } from './locations.js';
import type { BackupStore } from './store.js';

export class CorruptBackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CorruptBackupError';
  }
}

export interface RestoreOptions {
  store: BackupStore;
  location: string;
  /** The checksum the backup recorded (WebStackBackup status.sha256). */
  sha256: string;
  /** For messages: the WebStackBackup's name. */
  backupName: string;
  target: InstanceAddress;
  login: Login;
}

/** Downloads and verifies the dump into `dir`; returns the file. */
async function verifiedCopy(opts: RestoreOptions, dir: string): Promise<string> {
  const file = path.join(dir, DUMP_OBJECT);
  const hash = createHash('sha256');
  const hashing = new Transform({ transform(chunk: Buffer, _e, cb) { hash.update(chunk); cb(null, chunk); } });
  const key = `${opts.location}/${DUMP_OBJECT}`;
  await pipeline(await opts.store.get(key), hashing, createWriteStream(file));
  checkDigest(opts, key, hash.digest('hex'));
  return file;
}

/** Refuses a stored object whose SHA-256 is not the one its backup recorded. */
export function checkDigest(opts: { store: BackupStore; sha256: string; backupName: string }, key: string, actual: string): void {
  if (actual !== opts.sha256) {
    throw new CorruptBackupError(`backup ${opts.backupName} is corrupted: ${opts.store.describe(key)} has SHA-256 ${actual}, `
      + `the backup recorded ${opts.sha256}; it was not restored`);
  }
}

export async function restoreDump(opts: RestoreOptions): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'webstack-restore-'));
  try {
    const file = await verifiedCopy(opts, dir);
    const tool = runTool('mariadb', [...connectionArgs(opts.target, opts.login), '--binary-mode'], opts.login);
    await Promise.all([
      pipeline(createReadStream(file), createGunzip(), tool.child.stdin).catch((err: unknown) => {
        tool.child.kill();
        throw new Error(`backup ${opts.backupName}: ${(err as Error).message}`);
      }),
      tool.done,
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
