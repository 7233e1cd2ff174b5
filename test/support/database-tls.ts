/** The stack's database certificates written out as the `<stack>-mysql-tls` Secret is mounted in a pod. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { databaseCertificates, TLS_SECRET_KEYS, type DatabaseCertificates } from '../../src/pki/database-certificates.js';

export async function newTestCertificates(stack: string): Promise<DatabaseCertificates> {
  return (await databaseCertificates({}, { stack, namespace: 'default', clusterDomain: 'cluster.local' }, new Date())).certificates;
}

/** Writes tls.crt, tls.key and ca.crt into `dir` (created); returns `dir`. */
export function writeTlsDir(dir: string, certificates: DatabaseCertificates): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, TLS_SECRET_KEYS.certificate), certificates.server.certificate);
  writeFileSync(path.join(dir, TLS_SECRET_KEYS.privateKey), certificates.server.privateKey, { mode: 0o600 });
  writeFileSync(path.join(dir, TLS_SECRET_KEYS.caBundle), certificates.caBundle);
  return dir;
}
