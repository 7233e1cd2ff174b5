/**
 * Where a stack's backups and binlogs go inside its storage, and the store a storage spec names.
 * Keys: <prefix>/<namespace>/<stack>/backups/<backup>/{dump.sql.gz, physical.mbstream.gz or clone.tar.gz, manifest.json} and
 * <prefix>/<namespace>/<stack>/binlogs/<server>/<binlog file>.
 */
import type { BackupStorageSpec } from '../api/backup-types.js';
import { S3Store } from './s3-store.js';
import type { BackupStore } from './store.js';
import { VolumeStore } from './volume-store.js';

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

/** The store of a storage spec. `secretData` is the S3 credentials Secret's data (base64), for s3. */
export function storeFor(storage: BackupStorageSpec, backupDir: string | undefined, secretData?: Record<string, string>): BackupStore {
  if (storage.s3) {
    const s3 = storage.s3;
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
  if (!backupDir) throw new Error('spec.database.backup.storage.volume: the operator runs without --backup-dir, so it has no backup volume');
  return new VolumeStore(backupDir);
}
