/** A throwaway self-signed certificate made with the real `openssl`, laid out like the haproxy pod mounts a TLS Secret. */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { HAPROXY_TLS_KEY_SUFFIX } from '../../src/render/haproxy-config.js';

/**
 * Writes `<dir>/tls.pem` (the certificate, the Secret's tls.crt) and `<dir>/tls.pem.key` (its
 * tls.key) and returns the certificate path, the one haproxy's `crt` names.
 */
export function writeSelfSignedCert(dir: string, commonName = 'localhost'): string {
  const cert = path.join(dir, 'tls.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${commonName}`,
    '-addext', `subjectAltName=DNS:${commonName},IP:127.0.0.1`,
    '-keyout', cert + HAPROXY_TLS_KEY_SUFFIX, '-out', cert,
  ], { stdio: 'ignore', timeout: 60000 });
  return cert;
}
