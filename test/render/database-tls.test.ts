/**
 * The start script's TLS on a real mariadbd: no certificate, no TLS (a stack upgraded from a version
 * without them keeps running); with the mounted Secret, TLS required of every TCP client, verified
 * against the stack's CA, and a renewed certificate taken without a restart (FLUSH SSL).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { certificateFacts, issueServerCertificate } from '../../src/pki/certificates.js';
import { databaseServerNames } from '../../src/pki/names.js';
import { newTestCertificates, writeTlsDir } from '../support/database-tls.js';
import { startMariadbInstance, type MariadbInstance } from '../support/mariadb-instance.js';

const certificates = await newTestCertificates('shop');

describe('database TLS on a real mariadbd', () => {
  let dir: string;
  let tlsDir: string;
  let db: MariadbInstance;
  const plain = () => mysql.createConnection({ host: db.host, port: db.port, user: db.adminUser, password: db.adminPassword, connectTimeout: 5000 });
  const withCa = (ca: string) => mysql.createConnection({
    host: db.host, port: db.port, user: db.adminUser, password: db.adminPassword, connectTimeout: 5000, ssl: { ca, rejectUnauthorized: true },
  });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'webstack-tls-'));
    tlsDir = path.join(dir, 'tls');
    db = await startMariadbInstance({ podName: 'shop-mysql-0', dir, tlsDir });
  }, 120000);

  afterAll(async () => {
    await db?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves clients without TLS while no certificate is mounted', async () => {
    const conn = await plain();
    const [rows] = await conn.query<RowDataPacket[]>("SHOW SESSION STATUS LIKE 'Ssl_cipher'");
    await conn.end();
    expect(rows[0].Value).toBe('');
    expect(db.output()).toContain('serving without TLS');
  });

  it('with the certificate mounted, refuses a client without TLS and serves one that verifies the server', async () => {
    writeTlsDir(tlsDir, certificates);
    await db.stop();
    await db.start();
    // MariaDB 10.11 answers "access denied" (MySQL: "insecure transport"); the same account gets in over TLS.
    await expect(plain()).rejects.toThrow(/insecure transport|Access denied/);
    const conn = await withCa(certificates.caBundle);
    const [rows] = await conn.query<RowDataPacket[]>("SHOW SESSION STATUS LIKE 'Ssl_version'");
    const [vars] = await conn.query<RowDataPacket[]>('SELECT @@require_secure_transport AS required');
    await conn.end();
    expect(rows[0].Value).toMatch(/^TLSv1\.[23]$/);
    expect(Number(vars[0].required)).toBe(1);
  }, 120000);

  it('refuses to be trusted by a client holding another CA', async () => {
    await expect(withCa((await newTestCertificates('other')).caBundle)).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
  });

  it('takes a renewed certificate on FLUSH SSL, without a restart', async () => {
    const pid = db.pid();
    const renewed = await issueServerCertificate(certificates.ca, 'shop-mysql', databaseServerNames('shop', 'default', 'cluster.local'), new Date());
    writeTlsDir(tlsDir, { ...certificates, server: renewed });
    const served = async () => {
      const conn = await withCa(certificates.caBundle);
      const serial = ((conn as unknown as { connection: { stream: TLSSocket } }).connection.stream).getPeerCertificate().serialNumber;
      return { conn, serial };
    };
    const before = await served();
    expect(before.serial).toBe(certificateFacts(certificates.server.certificate)!.x509.serialNumber);
    await before.conn.query('FLUSH SSL');
    await before.conn.end();
    const after = await served();
    await after.conn.end();
    expect(after.serial).toBe(certificateFacts(renewed.certificate)!.x509.serialNumber);
    expect(db.pid()).toBe(pid);
  });
});
