/**
 * The schema of spec.database.backup and spec.database.restore, and of the WebStackBackup kind:
 * schema.ts places the first two under spec.database, backup-crd.ts builds the kind's CRD.
 */
import type { CelRule, SchemaNode } from './schema-types.js';
import { conditionsSchema } from './condition-schema.js';
import { BACKUP_METHODS, BACKUP_PHASES, DEFAULT_BACKUP_VOLUME_SIZE, type RestoreSpec } from './backup-types.js';
import { STORAGE_SIZE } from './storage-size.js';

const DNS_LABEL = {
  pattern: '^[a-z]([-a-z0-9]*[a-z0-9])?$',
  patternMeans: 'must be a DNS label: lowercase letters, digits and "-", starting with a letter and ending with a letter or digit',
};
const DNS_SUBDOMAIN = {
  pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
  patternMeans: 'must be a DNS subdomain: lowercase letters, digits, "-" and ".", starting and ending with a letter or digit',
};

export const BACKUP_PATTERNS = {
  cron: {
    pattern: '^[0-9*,/-]+ [0-9*,/-]+ [0-9*,/-]+ [0-9*,/-]+ [0-9*,/-]+$',
    patternMeans: 'must be a cron schedule of five fields (minute hour day-of-month month day-of-week), e.g. "0 */6 * * *"',
  },
  age: { pattern: '^[1-9][0-9]*(s|m|h|d)$', patternMeans: 'must be a duration such as 30m, 168h or 7d' },
  endpoint: { pattern: '^https?://[^\\s/]+(/[^\\s]*)?$', patternMeans: 'must be an http:// or https:// URL' },
  bucket: { pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$', patternMeans: 'must be an S3 bucket name: 3-63 lowercase letters, digits, "." and "-"' },
  prefix: { pattern: '^([A-Za-z0-9!_.*()-]+/)*[A-Za-z0-9!_.*()-]*$', patternMeans: 'must be an object key prefix: letters, digits, "!_.*()-" and "/" between parts' },
  region: { pattern: '^[a-z0-9-]+$', patternMeans: 'must be a region name such as us-east-1' },
};

const str = (maxLength: number, extra: Partial<SchemaNode> = {}): SchemaNode => ({ type: 'string', maxLength, ...extra });

const exactlyOne = (keys: string[], message: string): CelRule => ({
  rule: `${keys.map((k) => `(has(self.${k}) ? 1 : 0)`).join(' + ')} == 1`,
  message,
  holds: (self) => keys.filter((k) => (self as Record<string, unknown>)[k] !== undefined).length === 1,
});

const s3: SchemaNode = {
  type: 'object',
  description: 'An S3-compatible bucket.',
  required: ['bucket', 'credentialsSecret'],
  properties: {
    endpoint: str(512, { description: 'The S3 endpoint URL; AWS\'s own for the region when unset.', ...BACKUP_PATTERNS.endpoint }),
    bucket: str(63, { description: 'The bucket (it must exist).', ...BACKUP_PATTERNS.bucket }),
    prefix: str(256, { description: 'Key prefix under which the stack\'s backups and binlogs go.', ...BACKUP_PATTERNS.prefix }),
    region: str(64, { description: 'The bucket\'s region.', default: 'us-east-1', ...BACKUP_PATTERNS.region }),
    credentialsSecret: str(253, { description: 'A Secret in the stack\'s namespace with the keys accessKeyId and secretAccessKey.', ...DNS_SUBDOMAIN, minLength: 1 }),
    forcePathStyle: { type: 'boolean', description: 'Address the bucket in the path (most S3-compatible servers), not the host name.', default: false },
  },
};

export const backupStorageSchema: SchemaNode = {
  type: 'object',
  description: 'Where backups and archived binlogs go: exactly one of volume and s3.',
  properties: {
    volume: {
      type: 'object',
      description: 'The stack\'s backup volume: the PersistentVolumeClaim <stack>-backups, served to the operator by the stack\'s backup store '
        + '(Deployment <stack>-backup-store), under <namespace>/<stack>/. The claim is kept when the stack is deleted.',
      properties: {
        size: str(32, { description: 'The claim\'s size; it may grow where the StorageClass allows expansion, never shrink.', ...STORAGE_SIZE, default: DEFAULT_BACKUP_VOLUME_SIZE }),
        storageClassName: str(253, { description: 'StorageClass of the claim; the cluster default when unset. Immutable once the claim exists.', ...DNS_SUBDOMAIN }),
      },
    },
    s3,
  },
  'x-kubernetes-validations': [exactlyOne(['volume', 's3'], 'must set exactly one of volume, s3')],
};

export const backupSchema: SchemaNode = {
  type: 'object',
  description: 'Scheduled backups of the database, and the binlog archive for point-in-time recovery.',
  properties: {
    method: {
      type: 'string', enum: BACKUP_METHODS,
      description: 'physical: a copy of the data files (mariadb-backup) streamed by a replica\'s agent, restored by copying them back before the server starts; '
        + 'logical: SQL (mariadb-dump), loaded into the running server. Unset: physical when the operator runs the agent (--agent-image), else logical.',
    },
    schedule: str(128, { description: 'When the operator makes a backup: cron, five fields, UTC. Unset: on demand only (WebStackBackup objects).', ...BACKUP_PATTERNS.cron }),
    retention: {
      type: 'object',
      description: 'Which completed backups are kept; older ones are deleted with their data, and binlogs no kept backup needs.',
      properties: {
        count: { type: 'integer', description: 'Keep at most this many completed backups.', minimum: 1, maximum: 1000 },
        maxAge: str(16, { description: 'Delete completed backups older than this.', ...BACKUP_PATTERNS.age }),
      },
    },
    storage: { ...backupStorageSchema, default: { volume: {} } },
    pointInTimeRecovery: { type: 'boolean', description: 'Archive the primary\'s binlogs continuously, so a restore can stop at any moment of the archived window.', default: false },
  },
};

export const restoreSchema: SchemaNode = {
  type: 'object',
  description: 'Bootstrap this NEW stack from a backup (set at creation; a restore never writes into a running stack).',
  properties: {
    backup: str(253, { description: 'A completed WebStackBackup in this namespace.', ...DNS_SUBDOMAIN, minLength: 1 }),
    fromStack: str(63, { description: 'A stack in this namespace whose newest completed backup is restored.', ...DNS_LABEL, minLength: 1 }),
    pointInTime: { type: 'string', format: 'date-time', maxLength: 64, description: 'Restore the transactions committed before this time (RFC 3339), none after: replays archived binlogs.' },
  },
  'x-kubernetes-validations': [exactlyOne(['backup', 'fromStack'], 'must set exactly one of backup, fromStack')],
};

/** On spec.database: restore is set with the stack and never changed. */
export const restoreImmutable: CelRule = {
  rule: 'has(self.restore) == has(oldSelf.restore) && (!has(self.restore) || self.restore == oldSelf.restore)',
  message: 'restore is immutable: it is set when the stack is created (a restore never writes into a running stack)',
  fieldPath: '.restore',
  holds: (self, oldSelf) => JSON.stringify((self as { restore?: RestoreSpec }).restore)
    === JSON.stringify((oldSelf as { restore?: RestoreSpec }).restore),
};

/** The whole WebStackBackup object. */
export const webStackBackupSchema: SchemaNode = {
  type: 'object',
  description: 'One backup of a WebStack\'s database, made on demand (create one) or by the stack\'s schedule.',
  required: ['spec'],
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object', keepsUnknownFields: true },
    spec: {
      type: 'object',
      description: 'What to back up.',
      required: ['stack'],
      properties: {
        stack: str(63, {
          description: 'The WebStack in this namespace. Immutable.', ...DNS_LABEL, minLength: 1,
          'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'stack is immutable', holds: (self, oldSelf) => self === oldSelf }],
        }),
      },
    },
    status: {
      type: 'object',
      description: 'What the operator did.',
      'x-kubernetes-preserve-unknown-fields': true,
      properties: {
        phase: { type: 'string', enum: BACKUP_PHASES },
        startTime: { type: 'string', format: 'date-time' },
        completionTime: { type: 'string', format: 'date-time' },
        size: { type: 'integer', format: 'int64', description: 'Bytes stored (compressed).' },
        method: { type: 'string' },
        gtidPosition: { type: 'string' },
        location: { type: 'string' },
        storage: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        binlogLocation: { type: 'string' },
        sha256: { type: 'string' },
        engine: { type: 'string' },
        recoverableFrom: { type: 'string', format: 'date-time' },
        recoverableUntil: { type: 'string', format: 'date-time' },
        attempts: { type: 'integer' },
        message: { type: 'string' },
        conditions: conditionsSchema('Conditions (metav1.Condition); status.phase says where the backup stands.'),
      },
    },
  },
};
