import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import {
  ADMIN_USER, credentialsFromSecretData, credentialsToSecretData, newDatabaseCredentials, REPLICATION_USER, SECRET_KEYS,
} from '../../src/render/credentials.js';

/** A random source that hands out the given bytes in order, cycling. */
function scripted(bytes: number[]): (n: number) => Uint8Array {
  let i = 0;
  return (n) => Uint8Array.from({ length: n }, () => bytes[i++ % bytes.length]);
}

describe('newDatabaseCredentials', () => {
  it('generates four different 32-character alphanumeric passwords and the fixed account names', () => {
    const c = newDatabaseCredentials(randomBytes);
    expect(c.adminUser).toBe(ADMIN_USER);
    expect(c.replicationUser).toBe(REPLICATION_USER);
    const passwords = [c.adminPassword, c.replicationPassword, c.appPassword, c.exporterPassword];
    for (const p of passwords) expect(p).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(new Set(passwords).size).toBe(4);
    expect(newDatabaseCredentials(randomBytes).adminPassword).not.toBe(c.adminPassword);
  });

  it.each([
    ['byte 0 is A', [0], 'A'],
    ['byte 61 is 9', [61], '9'],
    ['byte 62 wraps to A', [62], 'A'],
    ['bytes from 248 are skipped, not folded onto the first letters', [255, 248, 1], 'B'],
  ])('uses the random source: %s', (_name, bytes, first) => {
    const c = newDatabaseCredentials(scripted(bytes));
    expect(c.adminPassword[0]).toBe(first);
    expect(c.adminPassword).toHaveLength(32);
  });
});

describe('Secret data', () => {
  const credentials = newDatabaseCredentials(randomBytes);

  it('stores every key base64-encoded and reads it back unchanged', () => {
    const data = credentialsToSecretData(credentials);
    expect(Object.keys(data)).toEqual(Object.values(SECRET_KEYS));
    expect(Buffer.from(data[SECRET_KEYS.adminPassword], 'base64').toString()).toBe(credentials.adminPassword);
    expect(credentialsFromSecretData(data)).toEqual(credentials);
  });

  it('keeps values it did not generate (rendering never changes existing credentials)', () => {
    const custom = { ...credentials, appPassword: "pässwörd with 'quotes'" };
    expect(credentialsFromSecretData(credentialsToSecretData(custom))).toEqual(custom);
  });

  it.each([
    ['no data at all', undefined, /my-secret: missing keys admin-user, admin-password, replication-user, replication-password, app-password/],
    ['one key missing', 'replication-password', /my-secret: missing key replication-password$/],
  ])('names the missing keys and never a value: %s', (_name, drop, message) => {
    const data = drop === undefined ? undefined : Object.fromEntries(Object.entries(credentialsToSecretData(credentials)).filter(([k]) => k !== drop));
    let error: Error | undefined;
    try {
      credentialsFromSecretData(data, 'my-secret');
    } catch (err) {
      error = err as Error;
    }
    expect(error?.message).toMatch(message);
    expect(error?.message).not.toContain(credentials.adminPassword);
  });
});

describe('a Secret without the exporter password (made before the exporter, or by a user)', () => {
  const credentials = newDatabaseCredentials(randomBytes);
  const older = Object.fromEntries(Object.entries(credentialsToSecretData(credentials)).filter(([k]) => k !== SECRET_KEYS.exporterPassword));

  it('is read, with a password derived from the admin password: the same on every read, never the admin password', () => {
    const read = credentialsFromSecretData(older);
    expect({ ...read, exporterPassword: credentials.exporterPassword }).toEqual(credentials);
    expect(read.exporterPassword).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(read.exporterPassword).not.toBe(credentials.adminPassword);
    expect(credentialsFromSecretData(older).exporterPassword).toBe(read.exporterPassword);
    const otherAdmin = { ...older, [SECRET_KEYS.adminPassword]: Buffer.from('another admin password').toString('base64') };
    expect(credentialsFromSecretData(otherAdmin).exporterPassword).not.toBe(read.exporterPassword);
  });

  it('keeps a stored exporter password', () => {
    expect(credentialsFromSecretData(credentialsToSecretData(credentials)).exporterPassword).toBe(credentials.exporterPassword);
  });
});

describe('lengths MySQL accepts', () => {
  it.each([
    ['replication-password', 'replicationPassword', 33],
    ['replication-user', 'replicationUser', 33],
    ['admin-user', 'adminUser', 40],
  ] as const)('a %s over 32 characters is refused, naming the key and never the value', (key, field, length) => {
    const value = 'x'.repeat(length);
    const data = credentialsToSecretData({ ...newDatabaseCredentials(randomBytes), [field]: value });
    expect(() => credentialsFromSecretData(data, 'Secret shop/shop-mysql')).toThrow(`Secret shop/shop-mysql: key ${key} must be at most 32 characters`);
    try {
      credentialsFromSecretData(data);
    } catch (err) {
      expect((err as Error).message).not.toContain(value);
    }
  });

  it('32 characters are fine', () => {
    const data = credentialsToSecretData({ ...newDatabaseCredentials(randomBytes), replicationPassword: 'y'.repeat(32) });
    expect(credentialsFromSecretData(data).replicationPassword).toHaveLength(32);
  });
});
