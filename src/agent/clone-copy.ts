/**
 * A MySQL 8.4 backup's copy (src/backup/clone-backup.ts): the server clones itself with CLONE
 * LOCAL DATA DIRECTORY into a directory beside its data directory, on the same volume; the agent
 * streams that directory as a tar archive and removes it afterwards, whatever became of the
 * stream. Only directories named by this module are served: a caller names a backup, never a path.
 * A restore unpacks such an archive into the staging directory beside the data directory.
 */
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { BackupStream, Extraction } from './mariadb-backup.js';
import { exitOf } from './mariadb-backup.js';

/** The clone directory of backup `name` beside `dataDir` (MySQL wants it absolute and not existing yet). */
export function cloneDirectory(dataDir: string, name: string): string {
  if (!/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/.test(name) || name.includes('..')) throw new Error(`'${name}' is not a backup name`);
  return path.join(path.dirname(dataDir), `webstack-clone-${name}`);
}

export class NoCloneError extends Error {}

/** Removes the clone directory of backup `name`; true when there was one. */
export function removeCloneDirectory(dataDir: string, name: string): boolean {
  const dir = cloneDirectory(dataDir, name);
  const existed = existsSync(dir);
  rmSync(dir, { recursive: true, force: true });
  return existed;
}

/** The directory as a tar stream (relative paths, its contents at the top); the directory is removed once tar exits. */
export function streamCloneDirectory(dataDir: string, name: string, tar = 'tar'): BackupStream {
  const dir = cloneDirectory(dataDir, name);
  if (!existsSync(dir)) throw new NoCloneError(`no clone of backup ${name} in ${path.dirname(dataDir)}`);
  const child = spawn(tar, ['-c', '-f', '-', '-C', dir, '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exit = exitOf(child, 'tar -c').finally(() => rmSync(dir, { recursive: true, force: true }));
  if (!child.stdout) throw new Error('tar: no stdout');
  return { stream: child.stdout, exit, abort: () => child.kill('SIGTERM') };
}

/**
 * Unpacks a clone's tar archive written to `sink` into `dir` (a restore of a MySQL backup). GNU tar
 * keeps every member inside `dir`: leading '/' stripped, members with '..' refused. It reads to the
 * end of its input (--ignore-zeros): stopping at the archive's end marker, it could exit before the
 * writer has ended, and the upload would fail though whole. Abort: SIGKILL, as what it leaves is removed.
 */
export function extractCloneArchive(dir: string, tar = 'tar'): Extraction {
  const child = spawn(tar, ['-x', '-f', '-', '-C', dir, '--no-same-owner', '--ignore-zeros'], { stdio: ['pipe', 'ignore', 'pipe'] });
  if (!child.stdin) throw new Error('tar: no stdin');
  return { sink: child.stdin, exit: exitOf(child, 'tar -x'), abort: () => child.kill('SIGKILL') };
}
