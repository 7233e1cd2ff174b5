/**
 * The MariaDB client programs the operator runs (mariadb-dump, mariadb, mariadb-binlog): the
 * password reaches them through MYSQL_PWD, never argv, and what they print on stderr is scrubbed
 * of every secret before it can reach an error, a log line or a status.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scrub } from '../mysql/sanitize.js';
import type { InstanceAddress } from '../mysql/ports.js';

export interface Login {
  user: string;
  password: string;
  /** The stack's CA bundle: instances that serve TLS (`addr.tls`) are verified against it. */
  caBundle?: string;
}

/** An instance that serves TLS and no CA bundle to verify it by: not connected to at all. */
function requireCa(addr: InstanceAddress, login: Login): string | undefined {
  if (!addr.tls) return undefined;
  if (!login.caBundle) throw new Error(`${addr.name} serves TLS and the stack's CA bundle is not known`);
  return login.caBundle;
}

/** mysql2's TLS options for `addr`: the chain verified against the stack's CA (the host is a pod IP, not checked). */
export function sqlTls(addr: InstanceAddress, login: Login): { ca: string; rejectUnauthorized: true } | undefined {
  const ca = requireCa(addr, login);
  return ca ? { ca, rejectUnauthorized: true } : undefined;
}

/**
 * The CA bundle as a file, for the client programs' --ssl-ca: named by its content, so concurrent
 * runs share it and a renewed bundle gets a file of its own. It holds certificates only, nothing secret.
 */
function caFile(bundle: string): string {
  const file = path.join(os.tmpdir(), `webstack-ca-${createHash('sha256').update(bundle).digest('hex').slice(0, 16)}.pem`);
  if (!existsSync(file)) writeFileSync(file, bundle, { mode: 0o644 });
  return file;
}

export interface RunningTool {
  child: ChildProcessWithoutNullStreams;
  /** Resolves when the program exits 0; rejects with its scrubbed stderr otherwise. */
  done: Promise<void>;
}

export function connectionArgs(addr: InstanceAddress, login: Login): string[] {
  const ca = requireCa(addr, login);
  // With --ssl-ca the client verifies the server's chain; --ssl-verify-server-cert would also check
  // the host name, which (a pod IP) no certificate names.
  const tls = ca ? ['--ssl', `--ssl-ca=${caFile(ca)}`] : [];
  return ['--no-defaults', `--host=${addr.host}`, `--port=${addr.port}`, `--user=${login.user}`, '--protocol=tcp', ...tls];
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
