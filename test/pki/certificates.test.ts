/** The stack's certificates as real openssl sees them: ECDSA, verified chains, key identifiers that match; an older RSA CA still signs. */
import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { certificateFacts, issueServerCertificate, keyMatches, newCertificateAuthority } from '../../src/pki/certificates.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'pki-'));
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};
const openssl = (args: string[]) => execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const NAMES = ['shop-mysql-0.shop-mysql.default.svc.cluster.local', '*.shop-mysql.default.svc', 'localhost'];

const now = new Date();
const ca = await newCertificateAuthority('default/shop database CA', now);
const server = await issueServerCertificate(ca, 'shop-mysql', NAMES, now);

describe('database certificates', () => {

  it('makes an ECDSA P-256 CA and a server certificate it signs, which openssl verifies for the server names', () => {
    const caFile = file('ca.crt', ca.certificate);
    const serverFile = file('server.crt', server.certificate);
    expect(openssl(['verify', '-CAfile', caFile, '-verify_hostname', 'localhost', serverFile])).toContain(': OK');
    const text = openssl(['x509', '-in', serverFile, '-noout', '-text']);
    expect(text).toContain('Signature Algorithm: ecdsa-with-SHA256');
    expect(text).toContain('ASN1 OID: prime256v1');
    expect(text).toMatch(/CA:FALSE/);
    expect(openssl(['x509', '-in', caFile, '-noout', '-text'])).toMatch(/CA:TRUE, pathlen:0/);
    const ski = openssl(['x509', '-in', caFile, '-noout', '-ext', 'subjectKeyIdentifier']).split('\n')[1].trim();
    const aki = openssl(['x509', '-in', serverFile, '-noout', '-ext', 'authorityKeyIdentifier']).split('\n')[1].trim();
    expect(aki).toBe(ski);
    // RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits, the uncompressed P-256 point ending the SPKI node:crypto encodes.
    const point = new X509Certificate(ca.certificate).publicKey.export({ type: 'spki', format: 'der' }).subarray(-65);
    expect(ski.replace(/:/g, '').toLowerCase()).toBe(createHash('sha1').update(point).digest('hex'));
    expect(certificateFacts(server.certificate)?.dnsNames).toEqual(NAMES);
    expect(keyMatches(certificateFacts(server.certificate)!, server.privateKey)).toBe(true);
    expect(keyMatches(certificateFacts(server.certificate)!, ca.privateKey)).toBe(false);
  });

  it('writes each private key as OpenSSL writes it (PKCS #8 PEM), which openssl reads as the P-256 key of its certificate', () => {
    for (const [name, pair] of [['ca', ca], ['server', server]] as const) {
      expect(createPrivateKey(pair.privateKey).export({ type: 'pkcs8', format: 'pem' })).toBe(pair.privateKey);
      const key = file(`${name}.key`, pair.privateKey);
      expect(openssl(['pkey', '-in', key, '-noout', '-text'])).toContain('ASN1 OID: prime256v1');
      expect(openssl(['pkey', '-in', key, '-pubout'])).toBe(openssl(['x509', '-in', file(`${name}-key-check.crt`, pair.certificate), '-noout', '-pubkey']));
    }
  });

  it('knows the dates and names of what it made as node:crypto parses them', () => {
    for (const [pem, names] of [[ca.certificate, []], [server.certificate, NAMES]] as const) {
      const parsed = new X509Certificate(pem);
      const facts = certificateFacts(pem)!;
      expect([facts.notBefore, facts.notAfter]).toEqual([new Date(parsed.validFrom), new Date(parsed.validTo)]);
      expect(facts.dnsNames).toEqual(names);
      expect(facts.x509.fingerprint256).toBe(parsed.fingerprint256);
    }
  });

  it('renews a server certificate with a CA made earlier with an RSA key, signing with RSA', async () => {
    const key = path.join(dir, 'rsa-ca.key');
    const cert = path.join(dir, 'rsa-ca.crt');
    openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-subj', '/CN=old CA/O=webstack-operator',
      '-days', '30', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign']);
    const rsaCa = { certificate: readFileSync(cert, 'utf8'), privateKey: readFileSync(key, 'utf8') };
    const renewed = file('renewed.crt', (await issueServerCertificate(rsaCa, 'shop-mysql', NAMES, now)).certificate);
    expect(openssl(['verify', '-CAfile', cert, renewed])).toContain(': OK');
    expect(openssl(['x509', '-in', renewed, '-noout', '-text'])).toContain('Signature Algorithm: sha256WithRSAEncryption');
  });
});
