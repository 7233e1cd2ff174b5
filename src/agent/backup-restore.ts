/**
 * Restoring this pod's data directory from a physical backup the operator uploads (the stored
 * gzip-compressed mbstream, or a MySQL 8.4 clone's gzipped tar): unpacked beside the data
 * directory while its SHA-256 is checked against the one the backup recorded, prepared (an
 * mbstream; a clone needs no prepare step), marked ready like a rebuild's copy, then the local
 * server is fenced: the start script swaps the copy in before the server starts again.
 *
 * MariaDB: the first boot on it (its init SQL) starts the binlog at the copy's GTID position, drops
 * any replication source the copy carried, and gives the admin account this stack's password (by
 * its hash: the file holds no password). MySQL 8.4: the server takes its GTID set from the copy's
 * mysql.gtid_executed table; the init SQL drops the replication source and gives the admin account
 * this stack's password. MySQL's caching_sha2_password hash is salted and can't be checked here,
 * so that file holds the password itself: mode 0600, read once by the server, and removed when the
 * operator forgets the restore (DELETE /v1/restore), after logging in with that password.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { measuring } from '../measuring-stream.js';
import { RESTORE_DIR_SUFFIX, RESTORE_INIT_SQL } from '../render/mysql-config.js';
import { extractCloneArchive } from './clone-copy.js';
import { copiedGtidPosition, extractStream, prepareCopy, type BackupTools, type LocalServer } from './mariadb-backup.js';
import type { BackupFormat, RestoreState } from './protocol.js';
import { writeMarker } from './restore.js';

/** The upload is not the backup it claims to be: nothing was put in place. */
export class CorruptUploadError extends Error {}

export interface BackupRestoreOptions {
  server: LocalServer;
  /** The SHA-256 (hex) the backup recorded of the stored bytes. */
  sha256: string;
  /** The backup's name, for the marker and messages. */
  backup: string;
  format: BackupFormat;
  tools?: BackupTools;
  /** `tar`, for a clone's archive. */
  tar?: string;
  fence: () => void;
  now?: () => number;
}

const sqlString = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;

/** MariaDB's mysql_native_password hash: '*' and the upper-case hex SHA-1 of the SHA-1 of the password. */
export function nativePasswordHash(password: string): string {
  const inner = createHash('sha1').update(password, 'utf8').digest();
  return `*${createHash('sha1').update(inner).digest('hex').toUpperCase()}`;
}

/** The first boot's SQL on a restored copy (not binlogged: the copy's position is the binlog's start). */
export function restoredPrimaryInitSql(gtid: string, adminUser: string, adminPassword: string): string {
  if (!/^(\d+-\d+-\d+)?(,\d+-\d+-\d+)*$/.test(gtid)) throw new Error(`'${gtid}' is not a GTID list`);
  const admin = `${sqlString(adminUser)}@'%'`;
  return [
    'SET SESSION sql_log_bin = 0;',
    'STOP ALL SLAVES;',
    'RESET SLAVE ALL;',
    'RESET MASTER;',
    `SET GLOBAL gtid_binlog_state = '${gtid}';`,
    `SET GLOBAL gtid_slave_pos = '${gtid}';`,
    `CREATE USER IF NOT EXISTS ${admin} IDENTIFIED BY PASSWORD '${nativePasswordHash(adminPassword)}';`,
    `ALTER USER ${admin} IDENTIFIED BY PASSWORD '${nativePasswordHash(adminPassword)}';`,
    `GRANT ALL PRIVILEGES ON *.* TO ${admin} WITH GRANT OPTION;`,
    '',
  ].join('\n');
}

/**
 * The first boot's SQL on a restored MySQL 8.4 clone, as the server's --init-file reads it (not
 * binlogged). The server boots super-read-only; the account statements need it off for a moment.
 */
export function restoredMysqlPrimaryInitSql(adminUser: string, adminPassword: string): string {
  const admin = `${sqlString(adminUser)}@'%'`;
  return [
    'SET SESSION sql_log_bin = 0;',
    'SET GLOBAL super_read_only = OFF;',
    'RESET REPLICA ALL;',
    `CREATE USER IF NOT EXISTS ${admin} IDENTIFIED BY ${sqlString(adminPassword)};`,
    `ALTER USER ${admin} IDENTIFIED BY ${sqlString(adminPassword)};`,
    `GRANT ALL PRIVILEGES ON *.* TO ${admin} WITH GRANT OPTION;`,
    'SET GLOBAL super_read_only = ON;',
    '',
  ].join('\n');
}

export async function restoreFromBackup(body: Readable, opts: BackupRestoreOptions): Promise<RestoreState> {
  const now = opts.now ?? Date.now;
  const began = now();
  const startedAt = new Date(began).toISOString();
  const stage = opts.server.dataDir + RESTORE_DIR_SUFFIX;
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  try {
    const clone = opts.format === 'clone-tar';
    const extraction = clone ? extractCloneArchive(stage, opts.tar) : extractStream(stage, opts.tools);
    const measure = measuring();
    try {
      await pipeline(body, measure.stream, createGunzip(), extraction.sink);
    } catch (err) {
      extraction.abort();
      await extraction.exit;
      throw new CorruptUploadError(`backup ${opts.backup} could not be unpacked: ${(err as Error).message}`);
    }
    const unpacked = await extraction.exit;
    const { sha256, size } = measure.digest();
    if (sha256 !== opts.sha256) {
      throw new CorruptUploadError(`backup ${opts.backup} is corrupted: received ${size} bytes with SHA-256 ${sha256}, the backup recorded ${opts.sha256}`);
    }
    if (!unpacked.ok) throw new Error(unpacked.message);
    let gtid = '';
    if (clone) {
      writeFileSync(path.join(stage, RESTORE_INIT_SQL), restoredMysqlPrimaryInitSql(opts.server.adminUser, opts.server.adminPassword), { mode: 0o600 });
    } else {
      const prepared = await prepareCopy(stage, opts.tools);
      if (!prepared.ok) throw new Error(prepared.message);
      gtid = copiedGtidPosition(stage);
      writeFileSync(path.join(stage, RESTORE_INIT_SQL), restoredPrimaryInitSql(gtid, opts.server.adminUser, opts.server.adminPassword), { mode: 0o600 });
    }
    const ready = { phase: 'ready' as const, donor: `backup ${opts.backup}`, startedAt, bytes: size, sha256, gtid, durationMs: now() - began };
    writeMarker(stage, ready);
    try {
      opts.fence();
    } catch {
      // No server runs: the start script swaps the copy in when it starts.
    }
    return ready;
  } catch (err) {
    rmSync(stage, { recursive: true, force: true });
    throw err;
  }
}
