/**
 * When the stack's database CA and server certificate are made, renewed or kept. Pure: it reads
 * what the Secrets hold and the time, and returns a decision with its reason.
 */
import { certificateFacts, keyMatches, type CertificateFacts } from './certificates.js';

/** Renewed when less than this share of the lifetime is left: weeks ahead for the server, years for the CA. */
export const RENEW_WHEN_LEFT = 1 / 3;

export type Decision = { action: 'keep' } | { action: 'make'; reason: string };

/** The first moment `facts` is due for renewal: a third of its lifetime before it expires. */
export function renewalAt(facts: CertificateFacts): Date {
  const lifetime = facts.notAfter.getTime() - facts.notBefore.getTime();
  return new Date(facts.notAfter.getTime() - lifetime * RENEW_WHEN_LEFT);
}

/** Why `facts` must be renewed at `now`, or undefined while it has time left. */
export function renewalDue(facts: CertificateFacts, now: Date): string | undefined {
  if (now.getTime() >= facts.notAfter.getTime()) return `expired at ${facts.notAfter.toISOString()}`;
  if (now.getTime() > renewalAt(facts).getTime()) return `expires at ${facts.notAfter.toISOString()}, renewed with a third of its lifetime left`;
  return undefined;
}

/** The CA: made when missing or unreadable, renewed (a new key) when its time is running out. */
export function planCertificateAuthority(cert: string | undefined, key: string | undefined, now: Date): Decision {
  const facts = certificateFacts(cert);
  if (!facts) return { action: 'make', reason: cert ? 'the CA certificate is unreadable' : 'no CA yet' };
  if (!keyMatches(facts, key)) return { action: 'make', reason: 'the CA key does not match its certificate' };
  const due = renewalDue(facts, now);
  return due ? { action: 'make', reason: `the CA ${due}` } : { action: 'keep' };
}

/** The server certificate: issued again when missing, not the current CA's, for other names, or due. */
export function planServerCertificate(
  cert: string | undefined, key: string | undefined, ca: CertificateFacts, dnsNames: readonly string[], now: Date,
): Decision {
  const facts = certificateFacts(cert);
  if (!facts) return { action: 'make', reason: cert ? 'the server certificate is unreadable' : 'no server certificate yet' };
  if (!keyMatches(facts, key)) return { action: 'make', reason: 'the server key does not match its certificate' };
  if (!facts.x509.checkIssued(ca.x509) || !facts.x509.verify(ca.x509.publicKey)) {
    return { action: 'make', reason: 'the server certificate is not signed by the current CA' };
  }
  if ([...facts.dnsNames].sort().join(',') !== [...dnsNames].sort().join(',')) {
    return { action: 'make', reason: 'the server certificate names other hosts' };
  }
  const due = renewalDue(facts, now);
  return due ? { action: 'make', reason: `the server certificate ${due}` } : { action: 'keep' };
}

/**
 * The CA bundle clients trust: the current CA first, then earlier CAs that have not expired, so a
 * server still presenting a certificate of the previous CA is trusted while it reloads.
 */
export function caBundle(current: string, previousBundle: string | undefined, now: Date, split: (b: string) => string[]): string {
  const keep = split(previousBundle ?? '').filter((pem) => {
    const facts = certificateFacts(pem);
    return facts && facts.notAfter > now && pem.trim() !== current.trim();
  });
  return [current.trim(), ...keep.map((p) => p.trim())].join('\n') + '\n';
}
