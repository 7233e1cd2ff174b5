/**
 * The MariaDB physical-copy tools the agent runs: `mariadb-backup --backup --stream=mbstream`
 * from the local server, `mbstream -x` into a directory, `mariadb-backup --prepare`. The admin
 * password reaches mariadb-backup through a private option file, never its argv or environment.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';

export interface BackupTools {
  /** `mariadb-backup` */
  backup: string;
  /** `mbstream` */
  mbstream: string;
}

export const DEFAULT_BACKUP_TOOLS: BackupTools = { backup: 'mariadb-backup', mbstream: 'mbstream' };

export interface LocalServer {
  dataDir: string;
  socket: string;
  adminUser: string;
  adminPassword: string;
}

/** What a finished tool run left: its exit, and the end of its output for an error message. */
export interface ToolExit {
  ok: boolean;
  message: string;
}

/** An option-file value: double-quoted, with the escapes the option-file reader knows. */
function optionValue(value: string): string {
  if (/[\n\r\0]/.test(value)) throw new Error('the admin credentials contain a line break or NUL');
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function lastLines(text: string, n = 3): string {
  return text.trim().split('\n').slice(-n).join(' | ');
}

export function exitOf(child: ChildProcess, what: string): Promise<ToolExit> {
  let output = '';
  child.stderr?.on('data', (d: Buffer) => { output = (output + d.toString()).slice(-4000); });
  return new Promise((resolve) => {
    child.once('error', (err) => resolve({ ok: false, message: `${what}: ${err.message}` }));
    child.once('close', (code, signal) => resolve(code === 0
      ? { ok: true, message: `${what}: done` }
      : { ok: false, message: `${what} exited with ${signal ?? `code ${code}`}: ${lastLines(output)}` }));
  });
}

export interface BackupStream {
  stream: Readable;
  exit: Promise<ToolExit>;
  /** Stops the backup (the reader went away). */
  abort(): void;
}

/** A physical copy of the running local server, as an mbstream on `stream`. */
export function streamBackup(server: LocalServer, tools: BackupTools = DEFAULT_BACKUP_TOOLS): BackupStream {
  const work = mkdtempSync(path.join(tmpdir(), 'webstack-copy-'));
  const options = path.join(work, 'client.cnf');
  writeFileSync(options, `[client]\nuser=${optionValue(server.adminUser)}\npassword=${optionValue(server.adminPassword)}\n`, { mode: 0o600 });
  const child = spawn(tools.backup, [
    `--defaults-file=${options}`, '--backup', '--stream=mbstream', `--datadir=${server.dataDir}`,
    `--socket=${server.socket}`, `--target-dir=${path.join(work, 'target')}`,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exit = exitOf(child, 'mariadb-backup --backup').finally(() => rmSync(work, { recursive: true, force: true }));
  if (!child.stdout) throw new Error('mariadb-backup: no stdout');
  return { stream: child.stdout, exit, abort: () => child.kill('SIGTERM') };
}

export interface Extraction {
  sink: Writable;
  exit: Promise<ToolExit>;
  abort(): void;
}

/** Unpacks an mbstream written to `sink` into `dir`. Abort: SIGKILL, as what it leaves is removed. */
export function extractStream(dir: string, tools: BackupTools = DEFAULT_BACKUP_TOOLS): Extraction {
  const child = spawn(tools.mbstream, ['-x', '-C', dir], { stdio: ['pipe', 'ignore', 'pipe'] });
  if (!child.stdin) throw new Error('mbstream: no stdin');
  return { sink: child.stdin, exit: exitOf(child, 'mbstream -x'), abort: () => child.kill('SIGKILL') };
}

/** Makes an unpacked copy consistent (applies its redo log), so a server can start on it; `signal` kills it. */
export function prepareCopy(dir: string, tools: BackupTools = DEFAULT_BACKUP_TOOLS, signal?: AbortSignal): Promise<ToolExit> {
  const child = spawn(tools.backup, ['--no-defaults', '--prepare', `--target-dir=${dir}`],
    { stdio: ['ignore', 'ignore', 'pipe'], ...(signal ? { signal, killSignal: 'SIGKILL' as const } : {}) });
  return exitOf(child, 'mariadb-backup --prepare');
}

/** The binlog info file names: 10.11 writes the first, 11.x the second. */
export const BINLOG_INFO_FILES = ['xtrabackup_binlog_info', 'mariadb_backup_binlog_info'];

/**
 * The GTID position the copy holds (the donor's gtid_binlog_pos when the copy was taken), from
 * the line `<binlog file>\t<offset>\t<gtid list>`: a replica built from it replicates from there.
 */
export function copiedGtidPosition(dir: string): string {
  for (const name of BINLOG_INFO_FILES) {
    const file = path.join(dir, name);
    if (!existsSync(file)) continue;
    return parseBinlogInfo(readFileSync(file, 'utf8'), name);
  }
  throw new Error(`the copy in ${dir} has no binlog position (${BINLOG_INFO_FILES.join(' or ')}): is binary logging on at the donor?`);
}

export function parseBinlogInfo(text: string, name = 'binlog info'): string {
  const fields = text.trim().split(/\s+/);
  const gtid = fields[2] ?? '';
  if (fields.length < 2 || !/^(\d+-\d+-\d+)?(,\d+-\d+-\d+)*$/.test(gtid)) throw new Error(`${name}: '${text.trim()}' is not '<file> <offset> <gtid list>'`);
  return gtid;
}
