/**
 * A stack's database certificates as its two Secrets hold them: what exists is kept, what is
 * missing, foreign or due is made anew (rotation.ts decides). Makes keys, so not pure; the
 * reconcile calls it with the Secrets it read and the clock's time.
 */
import {
  certificateFacts, issueServerCertificate, newCertificateAuthority, splitPemBundle, type KeyPair,
} from './certificates.js';
import { databaseServerNames } from './names.js';
import { caBundle, planCertificateAuthority, planServerCertificate, renewalAt } from './rotation.js';

/** The keys of `<stack>-mysql-ca`. */
export const CA_SECRET_KEYS = { certificate: 'ca.crt', privateKey: 'ca.key' } as const;
/** The keys of `<stack>-mysql-tls` (a kubernetes.io/tls Secret, plus the CA bundle). */
export const TLS_SECRET_KEYS = { certificate: 'tls.crt', privateKey: 'tls.key', caBundle: 'ca.crt' } as const;

export interface DatabaseCertificates {
  ca: KeyPair;
  /** What clients trust: the current CA, then earlier ones not yet expired. */
  caBundle: string;
  server: KeyPair;
}

export interface CertificateSubject {
  stack: string;
  namespace: string;
  clusterDomain: string;
}

/** Secret `data` (base64 values) as text, per key. */
function decoded(data: Record<string, string> | undefined, key: string): string | undefined {
  const value = data?.[key];
  return value ? Buffer.from(value, 'base64').toString('utf8') : undefined;
}

export interface CertificatesOutcome {
  certificates: DatabaseCertificates;
  /** What was made and why; empty when everything was kept. */
  made: string[];
  /**
   * When nothing was made: up to and including this moment, the same Secrets give this same outcome,
   * the first renewal due or the expiry of an earlier CA the bundle still trusts.
   */
  stableThrough?: Date;
}

export async function databaseCertificates(
  existing: { ca?: Record<string, string>; tls?: Record<string, string> }, subject: CertificateSubject, now: Date,
): Promise<CertificatesOutcome> {
  const made: string[] = [];
  const storedBundle = decoded(existing.ca, CA_SECRET_KEYS.certificate);
  const storedCa = splitPemBundle(storedBundle ?? '')[0];
  let ca: KeyPair = { certificate: storedCa ? `${storedCa}\n` : '', privateKey: decoded(existing.ca, CA_SECRET_KEYS.privateKey) ?? '' };
  const caDecision = planCertificateAuthority(ca.certificate || undefined, ca.privateKey || undefined, now);
  if (caDecision.action === 'make') {
    ca = await newCertificateAuthority(`${subject.namespace}/${subject.stack} database CA`, now);
    made.push(`CA (${caDecision.reason})`);
  }
  const bundle = caBundle(ca.certificate, storedBundle, now, splitPemBundle);
  const dnsNames = databaseServerNames(subject.stack, subject.namespace, subject.clusterDomain);
  let server: KeyPair = {
    certificate: decoded(existing.tls, TLS_SECRET_KEYS.certificate) ?? '', privateKey: decoded(existing.tls, TLS_SECRET_KEYS.privateKey) ?? '',
  };
  const serverDecision = planServerCertificate(server.certificate || undefined, server.privateKey || undefined,
    certificateFacts(ca.certificate)!, dnsNames, now);
  if (serverDecision.action === 'make') {
    server = await issueServerCertificate(ca, `${subject.stack}-mysql`, dnsNames, now);
    made.push(`server certificate (${serverDecision.reason})`);
  }
  const certificates = { ca, caBundle: bundle, server };
  return made.length > 0 ? { certificates, made } : { certificates, made, stableThrough: stableThrough(certificates) };
}

/** The last moment the decisions on `certificates` (as stored) stay the same: each kept, nothing made. */
export function stableThrough(c: DatabaseCertificates): Date {
  const [, ...earlierCas] = splitPemBundle(c.caBundle);
  const moments = [
    renewalAt(certificateFacts(c.ca.certificate)!).getTime(),
    renewalAt(certificateFacts(c.server.certificate)!).getTime(),
    // An earlier CA is trusted while it has not expired: dropped from the bundle at its notAfter.
    ...earlierCas.map((pem) => certificateFacts(pem)!.notAfter.getTime() - 1),
  ];
  return new Date(Math.min(...moments));
}
