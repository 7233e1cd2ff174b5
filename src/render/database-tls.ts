/**
 * The database's TLS: the two Secrets holding the stack's CA and server certificate (made by the
 * operator, src/pki), and where pods find them. Pure: the certificates are inputs.
 */
import { names, stackLabels } from '../api/labels.js';
import type { WebStack } from '../api/types.js';
import { CA_SECRET_KEYS, TLS_SECRET_KEYS, type DatabaseCertificates } from '../pki/database-certificates.js';
import { ownedMetadata, type KubeObject } from './object.js';

/** Where database pods mount `<stack>-mysql-tls`; the start script reads it through TLS_DIR. */
export const DATABASE_TLS_DIR = '/etc/mysql/tls';
/** Where app pods mount the CA bundle; DATABASE_SSL_CA names the file. */
export const APP_DATABASE_CA_DIR = '/etc/webstack/database-ca';
export const APP_DATABASE_CA_FILE = `${APP_DATABASE_CA_DIR}/${TLS_SECRET_KEYS.caBundle}`;
export const DATABASE_TLS_VOLUME = 'database-tls';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** The `data` of the stack's two Secrets, `<stack>-mysql-ca` and `<stack>-mysql-tls`, holding `certificates`. */
export function databaseTlsSecretData(certificates: DatabaseCertificates): { ca: Record<string, string>; tls: Record<string, string> } {
  return {
    ca: { [CA_SECRET_KEYS.certificate]: b64(certificates.caBundle), [CA_SECRET_KEYS.privateKey]: b64(certificates.ca.privateKey) },
    tls: {
      [TLS_SECRET_KEYS.certificate]: b64(certificates.server.certificate),
      [TLS_SECRET_KEYS.privateKey]: b64(certificates.server.privateKey),
      [TLS_SECRET_KEYS.caBundle]: b64(certificates.caBundle),
    },
  };
}

export function renderDatabaseTlsSecrets(ws: WebStack, certificates: DatabaseCertificates): KubeObject[] {
  const stack = ws.metadata.name;
  const labels = stackLabels(stack, 'database');
  const data = databaseTlsSecretData(certificates);
  return [
    { apiVersion: 'v1', kind: 'Secret', metadata: ownedMetadata(ws, names.mysqlCaSecret(stack), labels), type: 'Opaque', data: data.ca },
    { apiVersion: 'v1', kind: 'Secret', metadata: ownedMetadata(ws, names.mysqlTlsSecret(stack), labels), type: 'kubernetes.io/tls', data: data.tls },
  ];
}

/** The volume of a database pod: the whole TLS Secret, readable by the server's group only. */
export function databaseTlsVolume(stack: string) {
  return { name: DATABASE_TLS_VOLUME, secret: { secretName: names.mysqlTlsSecret(stack), defaultMode: 0o440 } };
}

/** The volume of an app pod: the CA bundle alone, never the server's key. */
export function appDatabaseCaVolume(stack: string) {
  return {
    name: DATABASE_TLS_VOLUME,
    secret: { secretName: names.mysqlTlsSecret(stack), items: [{ key: TLS_SECRET_KEYS.caBundle, path: TLS_SECRET_KEYS.caBundle }], defaultMode: 0o444 },
  };
}
