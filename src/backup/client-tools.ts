/**
 * The MariaDB client programs the operator runs (mariadb-dump, mariadb, mariadb-binlog): the
 * password reaches them through MYSQL_PWD, never argv, and what they print on stderr is scrubbed
 * of every secret before it can reach an error, a log line or a status.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { scrub } from '../mysql/sanitize.js';
import type { InstanceAddress } from '../mysql/ports.js';

export interface Login {
  user: string;
  password: string;
}

export interface RunningTool {
  child: ChildProcessWithoutNullStreams;
  /** Resolves when the program exits 0; rejects with its scrubbed stderr otherwise. */
  done: Promise<void>;
}

export function connectionArgs(addr: InstanceAddress, login: Login): string[] {
  return ['--no-defaults', `--host=${addr.host}`, `--port=${addr.port}`, `--user=${login.user}`, '--protocol=tcp'];
}

export function runTool(program: string, args: string[], login: Login, env: Record<string, string> = {}): RunningTool {
  const child = spawn(program, args, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env, MYSQL_PWD: login.password } });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { if (stderr.length < 8192) stderr += d.toString('utf8'); });
  const done = new Promise<void>((resolve, reject) => {
    child.once('error', (err) => reject(new Error(`${program}: ${err.message}`)));
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${program} failed (${signal ?? `exit ${code}`}): ${scrub(stderr.trim(), [login.password]) || 'no message'}`));
    });
  });
  return { child, done };
}
