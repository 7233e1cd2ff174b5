/**
 * The contract between the operator and the agent in each database pod: port, paths, headers and
 * the answers' shapes. The agent serves it (server.ts), the operator and the backup code call it
 * (client.ts).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The agent's port in every database pod (the NetworkPolicy opens it to the operator only). */
export const AGENT_PORT = 3390;
export const AGENT_CONTAINER = 'agent';

export const AGENT_PATHS = {
  /** POST: SIGKILL of the local server (a fence: no graceful shutdown, same data). */
  fence: '/v1/fence',
  /** GET: bytes used by the data directory and the volume's size and free space. */
  disk: '/v1/disk',
  /**
   * GET: a physical copy of the local server (`mariadb-backup --backup --stream=mbstream`) as the
   * body, then the trailers below: read the body to its end, then check the trailers.
   */
  physicalCopy: '/v1/physical-copy',
  /**
   * GET ?backup=<name>: the directory MySQL's CLONE LOCAL wrote for that backup beside the data
   * directory (clone-copy.ts), as a tar archive, then the trailers below; the directory is removed after.
   * DELETE ?backup=<name>: removes what an interrupted attempt left of it.
   */
  cloneCopy: '/v1/clone-copy',
  /** POST {donor}: rebuild the local data directory from a donor's physical copy; GET: progress; DELETE: forget a finished one. */
  restore: '/v1/restore',
  /**
   * PUT, body: a physical backup as stored (gzip of an mbstream, or of a MySQL clone's tar), headers
   * BACKUP_HEADERS: replace the local data directory with it (checked, prepared when it is an
   * mbstream, swapped in at the server's restart); answers
   * the `ready` state when the server has been fenced. GET/DELETE of `restore` follow it.
   */
  restoreBackup: '/v1/restore/backup',
  /**
   * GET <binlogs>/<name>: a closed binlog file of the local server (MySQL point-in-time archive,
   * binlog-files.ts) as the body, then the trailers below.
   */
  binlogs: '/v1/binlogs',
  /**
   * PUT <relayLogs>/<n>, body: an archived binlog file, header RELAY_LOG_SHA256 (its SHA-256 as
   * archived): placed as file n of the point-in-time channel's relay log (relay-logs.ts), refused
   * with 422 when the body is not that file. DELETE <relayLogs>: removes them all.
   */
  relayLogs: '/v1/relay-logs',
} as const;

export const RELAY_LOG_SHA256 = 'x-webstack-sha256';

/**
 * Headers of a backup upload: the SHA-256 the backup recorded of these bytes, its name, and its
 * format (BACKUP_FORMATS; absent: mbstream).
 */
export const BACKUP_HEADERS = { sha256: 'x-webstack-backup-sha256', name: 'x-webstack-backup', format: 'x-webstack-backup-format' } as const;

/** A MariaDB backup is a gzipped mbstream (mariadb-backup); a MySQL 8.4 one a gzipped tar of its CLONE LOCAL directory. */
export const BACKUP_FORMATS = ['mbstream', 'clone-tar'] as const;
export type BackupFormat = (typeof BACKUP_FORMATS)[number];

/** Trailers of a physical copy: the body's SHA-256 (hex), its length, and 'ok' or why it failed. */
export const COPY_TRAILERS = { sha256: 'x-webstack-sha256', bytes: 'x-webstack-bytes', result: 'x-webstack-result' } as const;

export interface DiskUsage {
  /** Bytes under the data directory. */
  dataBytes: number;
  volumeBytes: number;
  volumeFreeBytes: number;
}

/**
 * Where a rebuild of this pod stands. `restored`: the copy is in place and the server booted on
 * it with gtid_slave_pos at `gtid` (set at boot); the operator points replication, then DELETEs it.
 * `gtid` is '' for a MySQL clone copy: the server reads its GTID set from the copy's mysql.gtid_executed.
 */
export type RestoreState =
  | { phase: 'idle' }
  | { phase: 'copying' | 'preparing'; donor: string; startedAt: string; bytes: number }
  | { phase: 'ready' | 'restored'; donor: string; startedAt: string; bytes: number; sha256: string; gtid: string; durationMs: number }
  | { phase: 'failed'; donor: string; startedAt: string; error: string };

export interface RestoreRequest {
  /** The donor's agent, host (a pod's DNS name or address) and port. */
  donor: { host: string; port: number };
}

/**
 * The bearer token of a stack's agents: an HMAC of the admin password, so the agent needs no
 * secret of its own and a token reveals nothing of the password. Never logged.
 */
export function agentToken(adminPassword: string): string {
  return createHmac('sha256', adminPassword).update('webstack-operator agent v1').digest('hex');
}

export function tokenMatches(expected: string, header: string | undefined): boolean {
  const given = /^Bearer (\S+)$/.exec(header ?? '')?.[1] ?? '';
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
