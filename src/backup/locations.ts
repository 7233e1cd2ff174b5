/**
 * Where a stack's backups and binlogs go inside its storage, and the bucket an s3 storage spec names.
 * Keys: <prefix>/<namespace>/<stack>/backups/<backup>/{dump.sql.gz, physical.mbstream.gz or clone.tar.gz, manifest.json} and
 * <prefix>/<namespace>/<stack>/binlogs/<server>/<binlog file>.
 */
import type { BackupStorageSpec, S3StorageSpec } from '../api/backup-types.js';
import { S3Store } from './s3-store.js';
import type { BackupStore } from './store.js';

export const DUMP_OBJECT = 'dump.sql.gz';
export const PHYSICAL_OBJECT = 'physical.mbstream.gz';
/** A MySQL backup: the tar of its CLONE LOCAL directory, gzipped. */
export const CLONE_OBJECT = 'clone.tar.gz';
export const MANIFEST_OBJECT = 'manifest.json';
export const S3_SECRET_KEYS = { accessKeyId: 'accessKeyId', secretAccessKey: 'secretAccessKey' } as const;

export function stackRoot(storage: BackupStorageSpec, namespace: string, stack: string): string {
  const prefix = (storage.s3?.prefix ?? '').replace(/\/+$/, '');
  return `${prefix ? `${prefix}/` : ''}${namespace}/${stack}`;
}

export const backupLocation = (root: string, backup: string): string => `${root}/backups/${backup}`;
export const binlogLocation = (root: string): string => `${root}/binlogs`;

/** The bucket of an s3 storage spec. `secretData` is its credentials Secret's data (base64). */
export function s3StoreFor(s3: S3StorageSpec, secretData: Record<string, string> | undefined): BackupStore {
  const key = (k: string): string => {
    const v = secretData?.[k];
    if (!v) throw new Error(`Secret ${s3.credentialsSecret} has no key ${k} (spec.database.backup.storage.s3.credentialsSecret)`);
    return Buffer.from(v, 'base64').toString('utf8');
  };
  return new S3Store({
    endpoint: s3.endpoint, bucket: s3.bucket, region: s3.region ?? 'us-east-1', forcePathStyle: s3.forcePathStyle ?? false,
    accessKeyId: key(S3_SECRET_KEYS.accessKeyId), secretAccessKey: key(S3_SECRET_KEYS.secretAccessKey),
  });
}
