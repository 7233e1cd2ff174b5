/** Backups of a WebStack's database: spec.database.backup and .restore, and the WebStackBackup kind. */
import type { Condition, ObjectMeta } from './types.js';

export const BACKUP_KIND = 'WebStackBackup';
export const BACKUP_PLURAL = 'webstackbackups';
export const BACKUP_SINGULAR = 'webstackbackup';
export const BACKUP_SHORT_NAMES = ['wsb'];
/** On every WebStackBackup the operator handles: deleting one deletes its data in the storage first. */
export const BACKUP_DATA_FINALIZER = 'webstack.dev/backup-data';

/** An S3-compatible bucket; the keys come from a Secret, never from the spec. */
export interface S3StorageSpec {
  /** e.g. https://s3.eu-west-1.amazonaws.com or http://seaweedfs.storage:8333; AWS's own when unset. */
  endpoint?: string;
  bucket: string;
  prefix?: string;
  region?: string;
  /** A Secret in the stack's namespace with keys accessKeyId and secretAccessKey. */
  credentialsSecret: string;
  forcePathStyle?: boolean;
}

/**
 * The stack's own backup volume: a PersistentVolumeClaim `<stack>-backups`, served to the operator
 * by the stack's backup store (a one-pod Deployment). Kept when the stack is deleted.
 */
export interface VolumeStorageSpec {
  /** Default 10Gi; it may grow later where the StorageClass allows expansion, never shrink. */
  size?: string;
  /** The cluster's default StorageClass when unset. */
  storageClassName?: string;
}

/** The backup volume's size when the spec gives none. */
export const DEFAULT_BACKUP_VOLUME_SIZE = '10Gi';

/** Exactly one target. `volume` (the default): the stack's backup volume. */
export interface BackupStorageSpec {
  volume?: VolumeStorageSpec;
  s3?: S3StorageSpec;
}

export interface BackupRetentionSpec {
  /** Keep at most this many completed backups. */
  count?: number;
  /** Delete completed backups older than this (e.g. 168h, 30m). */
  maxAge?: string;
}

/**
 * `physical`: a copy of the data files by mariadb-backup, streamed by a replica's agent;
 * `logical`: SQL by mariadb-dump. Unset: physical when the operator runs agents (--agent-image).
 */
export type BackupMethod = 'physical' | 'logical';
export const BACKUP_METHODS: readonly BackupMethod[] = ['physical', 'logical'];

export interface BackupSpec {
  method?: BackupMethod;
  /** Cron, five fields, UTC. */
  schedule?: string;
  retention?: BackupRetentionSpec;
  storage?: BackupStorageSpec;
  /** Archive binlogs continuously, so a restore can stop at any moment of the archived window. */
  pointInTimeRecovery?: boolean;
}

/** Bootstraps a NEW stack from a backup; set when the stack is created. */
export interface RestoreSpec {
  backup?: string;
  fromStack?: string;
  /** RFC 3339; transactions committed before it are restored, none after. */
  pointInTime?: string;
}

export type BackupPhase = 'Pending' | 'Running' | 'Completed' | 'Failed';
export const BACKUP_PHASES: readonly BackupPhase[] = ['Pending', 'Running', 'Completed', 'Failed'];

export interface WebStackBackupStatus {
  phase?: BackupPhase;
  startTime?: string;
  completionTime?: string;
  /** Bytes stored (compressed). */
  size?: number;
  /** physical or logical (backups made before methods existed say mariadb-dump: logical). */
  method?: string;
  /** The GTID position the copy is consistent at. */
  gtidPosition?: string;
  /** Where the backup is, within its storage. */
  location?: string;
  /** The storage it was written to (a copy: a restore works after the stack is gone). */
  storage?: BackupStorageSpec;
  /** Where the stack's binlog archive is, within the same storage, when it archives binlogs. */
  binlogLocation?: string;
  sha256?: string;
  engine?: string;
  /** The window a restore from this backup can reach (point-in-time recovery). */
  recoverableFrom?: string;
  recoverableUntil?: string;
  attempts?: number;
  message?: string;
  conditions?: Condition[];
}

export interface WebStackBackup {
  apiVersion: string;
  kind: typeof BACKUP_KIND;
  metadata: ObjectMeta & { ownerReferences?: unknown[]; finalizers?: string[] };
  spec: { stack: string };
  status?: WebStackBackupStatus;
}
