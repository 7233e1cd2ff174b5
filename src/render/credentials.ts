/**
 * The database Secret's contents: the one place that names its keys. Credentials are generated
 * once, by whoever creates the Secret; rendering only ever copies existing values.
 */
import { createHmac } from 'node:crypto';

export const SECRET_KEYS = {
  adminUser: 'admin-user',
  adminPassword: 'admin-password',
  replicationUser: 'replication-user',
  replicationPassword: 'replication-password',
  appPassword: 'app-password',
  exporterPassword: 'exporter-password',
} as const;

export type DatabaseCredentials = { -readonly [K in keyof typeof SECRET_KEYS]: string };

/** The operator's account on every instance (created by the start script), and the replication account. */
export const ADMIN_USER = 'webstack-admin';
export const REPLICATION_USER = 'webstack-repl';
/** The mysqld-exporter sidecars' account: reads server status, writes nothing (created by the database manager). */
export const EXPORTER_USER = 'webstack-exporter';

const PASSWORD_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** 32 characters of 62: about 190 bits, and nothing a shell, SQL or a URL needs to escape. */
const PASSWORD_LENGTH = 32;

/** `randomBytes` is the random source (node:crypto's in production), passed in so tests can fix it. */
export type RandomBytes = (size: number) => Uint8Array;

function newPassword(randomBytes: RandomBytes): string {
  // Rejection sampling: bytes >= 248 (4 * 62) are skipped so every character is equally likely.
  const limit = Math.floor(256 / PASSWORD_ALPHABET.length) * PASSWORD_ALPHABET.length;
  let password = '';
  while (password.length < PASSWORD_LENGTH) {
    for (const byte of randomBytes(PASSWORD_LENGTH)) {
      if (byte < limit && password.length < PASSWORD_LENGTH) password += PASSWORD_ALPHABET[byte % PASSWORD_ALPHABET.length];
    }
  }
  return password;
}

/**
 * The exporter's password for a Secret that has none (made before the exporter existed, or by a
 * user): an HMAC of the admin password, so it reveals nothing of it and is the same on every read.
 */
function derivedExporterPassword(adminPassword: string): string {
  let counter = 0;
  const stream: RandomBytes = (size) => {
    const bytes = new Uint8Array(size);
    for (let filled = 0; filled < size; counter++) {
      const block = createHmac('sha256', adminPassword).update(`webstack mysqld-exporter ${counter}`).digest();
      const n = Math.min(block.length, size - filled);
      bytes.set(block.subarray(0, n), filled);
      filled += n;
    }
    return bytes;
  };
  return newPassword(stream);
}

export function newDatabaseCredentials(randomBytes: RandomBytes): DatabaseCredentials {
  return {
    adminUser: ADMIN_USER,
    adminPassword: newPassword(randomBytes),
    replicationUser: REPLICATION_USER,
    replicationPassword: newPassword(randomBytes),
    appPassword: newPassword(randomBytes),
    exporterPassword: newPassword(randomBytes),
  };
}

/** The Secret's `data`: every value base64-encoded, keys in a fixed order. */
export function credentialsToSecretData(credentials: DatabaseCredentials): Record<string, string> {
  const data: Record<string, string> = {};
  for (const [field, key] of Object.entries(SECRET_KEYS) as [keyof DatabaseCredentials, string][]) {
    data[key] = Buffer.from(credentials[field], 'utf8').toString('base64');
  }
  return data;
}

/**
 * Reads credentials back from an existing Secret's `data` (base64 values, as the API server
 * returns them). Throws naming the missing keys, never a value.
 */
export function credentialsFromSecretData(data: Record<string, string> | undefined, secretName = 'database Secret'): DatabaseCredentials {
  // A Secret made before the exporter existed, or by a user, may lack its password: derived below.
  const missing = Object.values(SECRET_KEYS).filter((key) => !data?.[key] && key !== SECRET_KEYS.exporterPassword);
  if (missing.length > 0) throw new Error(`${secretName}: missing key${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  const credentials = {} as DatabaseCredentials;
  for (const [field, key] of Object.entries(SECRET_KEYS) as [keyof DatabaseCredentials, string][]) {
    if (data![key]) credentials[field] = Buffer.from(data![key], 'base64').toString('utf8');
  }
  credentials.exporterPassword ??= derivedExporterPassword(credentials.adminPassword);
  const tooLong = (Object.keys(MAX_LENGTHS) as (keyof typeof MAX_LENGTHS)[]).filter((f) => credentials[f].length > MAX_LENGTHS[f]);
  if (tooLong.length > 0) {
    throw new Error(`${secretName}: ${tooLong.map((f) => `key ${SECRET_KEYS[f]} must be at most ${MAX_LENGTHS[f]} characters`).join(', ')}`
      + ' (MySQL refuses longer account names, and replication passwords in CHANGE REPLICATION SOURCE)');
  }
  return credentials;
}

/** MySQL 8.4's limits: account names of 32 characters, and 32 for SOURCE_PASSWORD. */
const MAX_LENGTHS = { adminUser: 32, replicationUser: 32, replicationPassword: 32 } as const;
