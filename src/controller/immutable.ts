/**
 * Immutable fields checked against what runs, not only by the CRD's transition rules: a cluster
 * whose CRD lacks them (an older CRD, validation skipped) must still never get MySQL
 * configuration on MariaDB data or a renamed app account. Pure.
 */
import { resolveSpec } from '../api/defaults.js';
import { canonicalQuantity, quantityNanos } from '../api/quantity.js';
import { DEFAULT_BACKUP_VOLUME_SIZE } from '../api/backup-types.js';
import { usesBackupVolume } from '../render/backup-store.js';
import { ANNOTATION_DATABASE_NAME, ANNOTATION_DATABASE_USER, ANNOTATION_ENGINE } from '../api/labels.js';
import type { ValidationError } from '../api/schema-check.js';
import type { DatabaseEngine, WebStack } from '../api/types.js';

export interface LiveStatefulSet {
  metadata: { annotations?: Record<string, string> };
  spec?: {
    template?: { spec?: { containers?: unknown[] } };
    volumeClaimTemplates?: { spec?: { storageClassName?: string; resources?: { requests?: Record<string, string> } } }[];
  };
}

/** The engine a StatefulSet runs: its annotation, or (made before the annotation existed) its probe's client. */
function engineOf(sts: LiveStatefulSet): DatabaseEngine | undefined {
  const recorded = sts.metadata.annotations?.[ANNOTATION_ENGINE];
  if (recorded === 'mysql' || recorded === 'mariadb') return recorded;
  const containers = JSON.stringify(sts.spec?.template?.spec?.containers ?? []);
  if (containers.includes('mariadb-admin')) return 'mariadb';
  if (containers.includes('mysqladmin')) return 'mysql';
  return undefined;
}

/** Every immutable field of `ws` that differs from the StatefulSet it runs on, naming the field. */
export function immutableFieldErrors(ws: WebStack, statefulSet: LiveStatefulSet | undefined): ValidationError[] {
  if (!statefulSet) return [];
  const db = resolveSpec(ws).database;
  const errors: ValidationError[] = [];
  const differs = (field: string, want: string | undefined, running: string | undefined, why: string) => {
    if (running !== undefined && want !== running) {
      errors.push({ field: `spec.database.${field}`, message: `is immutable: the running database has ${running || '(unset)'}, the spec asks for ${want || '(unset)'}; ${why}` });
    }
  };
  differs('engine', db.engine, engineOf(statefulSet), 'switching engines would lose the data');
  differs('databaseName', db.databaseName, statefulSet.metadata.annotations?.[ANNOTATION_DATABASE_NAME], 'the app database is created once');
  differs('user', db.user, statefulSet.metadata.annotations?.[ANNOTATION_DATABASE_USER], 'the app user is created once');
  const claim = statefulSet.spec?.volumeClaimTemplates?.[0]?.spec;
  if (claim) {
    const why = "a StatefulSet's volumeClaimTemplates cannot change";
    // The server stores the size in canonical form: 1024Mi runs as 1Gi.
    const running = claim.resources?.requests?.storage;
    differs('storage.size', canonicalQuantity(db.storage.size), running === undefined ? undefined : canonicalQuantity(running), why);
    differs('storage.storageClassName', db.storage.storageClassName ?? '', claim.storageClassName ?? '', why);
  }
  return errors;
}

export interface LiveClaim {
  spec?: { storageClassName?: string; resources?: { requests?: Record<string, string> } };
}

/**
 * The stack's backup volume as it runs: a claim grows (where its StorageClass allows) and never
 * shrinks, and keeps its StorageClass. An edit that asks otherwise is refused naming the field, so
 * nothing is applied over what runs.
 */
export function backupClaimErrors(ws: WebStack, claim: LiveClaim | undefined): ValidationError[] {
  if (!claim?.spec || !usesBackupVolume(ws)) return [];
  const volume = ws.spec.database?.backup?.storage?.volume ?? {};
  const errors: ValidationError[] = [];
  const want = volume.size ?? DEFAULT_BACKUP_VOLUME_SIZE;
  const running = claim.spec.resources?.requests?.storage;
  const [wantNanos, runningNanos] = [quantityNanos(want), running === undefined ? undefined : quantityNanos(running)];
  if (wantNanos !== undefined && runningNanos !== undefined && wantNanos < runningNanos) {
    errors.push({ field: 'spec.database.backup.storage.volume.size', message: `cannot shrink: the backup volume's claim has ${running}, the spec asks for ${want}` });
  }
  if (claim.spec.storageClassName !== undefined && volume.storageClassName !== undefined && volume.storageClassName !== claim.spec.storageClassName) {
    errors.push({
      field: 'spec.database.backup.storage.volume.storageClassName',
      message: `is immutable once the claim exists: it has ${claim.spec.storageClassName}, the spec asks for ${volume.storageClassName}`,
    });
  }
  return errors;
}
