/** Programs on this machine the pods run: found on PATH or in the sbin directories Debian puts servers in. */
import { accessSync, constants } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const found = new Map<string, string | undefined>();

export function which(program: string): string | undefined {
  if (program.includes('/')) return program;
  if (found.has(program)) return found.get(program);
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/local/sbin', '/usr/sbin', '/sbin'].filter(Boolean);
  let hit: string | undefined;
  for (const d of dirs) {
    const candidate = path.join(d, program);
    try {
      accessSync(candidate, constants.X_OK);
      hit = candidate;
      break;
    } catch {
      // not in this directory
    }
  }
  found.set(program, hit);
  return hit;
}

let mysqldIsMariadbCache: boolean | undefined;

/** Debian installs `mysqld` as a link to MariaDB's server: it can't play MySQL 8.4. */
export function mysqldIsMariadb(): boolean {
  if (mysqldIsMariadbCache === undefined) {
    const mysqld = which('mysqld');
    try {
      mysqldIsMariadbCache = mysqld ? /mariadb/i.test(execFileSync(mysqld, ['--version'], { encoding: 'utf8', timeout: 10_000 })) : false;
    } catch {
      mysqldIsMariadbCache = false;
    }
  }
  return mysqldIsMariadbCache;
}
