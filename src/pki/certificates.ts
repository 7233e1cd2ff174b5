/**
 * A stack's database certificate authority and the server certificate it signs. Keys come from
 * node:crypto (RSA 2048, native); node-forge builds and signs the X.509 certificates, so no
 * openssl binary is needed in the operator's image. Everything else here is pure.
 */
import { createPrivateKey, generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import forge from 'node-forge';

export interface KeyPair {
  certificate: string;
  privateKey: string;
}

/** How long each certificate is valid; rotation.ts renews it when a third of that is left. */
export const CA_LIFETIME_DAYS = 3650;
export const SERVER_LIFETIME_DAYS = 90;
/** Backdated, so a node whose clock is a little behind the operator's accepts a fresh certificate. */
const BACKDATE_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

function newKey(): { forgeKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; pem: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
  return { forgeKey, publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e), pem };
}

/** forge writes CRLF line ends; everything else (Secrets, servers, comparisons) uses LF. */
function pem(cert: forge.pki.Certificate): string {
  return forge.pki.certificateToPem(cert).replace(/\r\n/g, '\n');
}

function serialNumber(): string {
  // Positive (high bit clear), 128 bits of randomness.
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f;
  return bytes.toString('hex');
}

function validity(cert: forge.pki.Certificate, now: Date, days: number): void {
  cert.validity.notBefore = new Date(now.getTime() - BACKDATE_MS);
  cert.validity.notAfter = new Date(now.getTime() + days * DAY_MS);
}

/** A self-signed CA for one stack: it signs only that stack's server certificates. */
export function newCertificateAuthority(commonName: string, now: Date): KeyPair {
  const key = newKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = key.publicKey;
  cert.serialNumber = serialNumber();
  validity(cert, now, CA_LIFETIME_DAYS);
  const subject = [{ name: 'commonName', value: commonName }, { name: 'organizationName', value: 'webstack-operator' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(key.forgeKey, forge.md.sha256.create());
  return { certificate: pem(cert), privateKey: key.pem };
}

/** A server certificate for `dnsNames` (wildcards allowed), signed by `ca`. */
export function issueServerCertificate(ca: KeyPair, commonName: string, dnsNames: readonly string[], now: Date): KeyPair {
  const caCert = forge.pki.certificateFromPem(ca.certificate);
  const caKey = forge.pki.privateKeyFromPem(ca.privateKey);
  const key = newKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = key.publicKey;
  cert.serialNumber = serialNumber();
  validity(cert, now, SERVER_LIFETIME_DAYS);
  cert.setSubject([{ name: 'commonName', value: commonName }, { name: 'organizationName', value: 'webstack-operator' }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
    { name: 'subjectAltName', altNames: dnsNames.map((value) => ({ type: 2, value })) },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { certificate: pem(cert), privateKey: key.pem };
}

/** What rotation needs to know about one certificate, read with node:crypto. */
export interface CertificateFacts {
  notBefore: Date;
  notAfter: Date;
  dnsNames: string[];
  /** The certificate as node:crypto parsed it, to check signatures. */
  x509: X509Certificate;
}

/** The PEM blocks of a bundle, in order. */
export function splitPemBundle(bundle: string): string[] {
  return bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/** Parses the first certificate of `pem`; undefined when there is none or it is malformed. */
export function certificateFacts(pem: string | undefined): CertificateFacts | undefined {
  const first = pem ? splitPemBundle(pem)[0] : undefined;
  if (!first) return undefined;
  try {
    const x509 = new X509Certificate(first);
    const dnsNames = (x509.subjectAltName ?? '').split(', ').filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4));
    return { notBefore: new Date(x509.validFrom), notAfter: new Date(x509.validTo), dnsNames, x509 };
  } catch {
    return undefined;
  }
}

/** True when `privateKeyPem` is the private half of the certificate's public key. */
export function keyMatches(facts: CertificateFacts, privateKeyPem: string | undefined): boolean {
  if (!privateKeyPem) return false;
  try {
    return facts.x509.checkPrivateKey(createPrivateKey(privateKeyPem));
  } catch {
    return false;
  }
}
