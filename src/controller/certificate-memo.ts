/**
 * The database certificates decided for each stack, reused while its two Secrets hold the same data
 * and the decision cannot have changed (up to `stableThrough`): a reconcile that finds nothing new
 * parses no certificate and loads no key. What a reconcile makes is remembered as the Secrets will
 * hold it once applied, so the reconcile that reads them back checks nothing either. The Secrets
 * are compared by a digest, never kept.
 */
import { createHash } from 'node:crypto';
import {
  databaseCertificates, stableThrough, type CertificatesOutcome, type CertificateSubject, type DatabaseCertificates,
} from '../pki/database-certificates.js';
import { databaseTlsSecretData } from '../render/database-tls.js';

type SecretData = Record<string, string> | undefined;

interface Entry {
  digest: string;
  stableThrough: number;
  outcome: { certificates: DatabaseCertificates; stableThrough: Date };
}

function digest(subject: CertificateSubject, ca: SecretData, tls: SecretData): string {
  return createHash('sha256').update(JSON.stringify([subject, ca ?? null, tls ?? null])).digest('base64');
}

export class CertificateMemo {
  private readonly entries = new Map<string, Entry>();

  /** databaseCertificates(), or what it gave for the same Secrets while that still holds. */
  async certificates(key: string, existing: { ca: SecretData; tls: SecretData }, subject: CertificateSubject, now: Date): Promise<CertificatesOutcome> {
    const d = digest(subject, existing.ca, existing.tls);
    const kept = this.entries.get(key);
    if (kept && kept.digest === d && now.getTime() <= kept.stableThrough) return { ...kept.outcome, made: [] };
    const outcome = await databaseCertificates(existing, subject, now);
    // Something made is not in the Secrets yet: it is kept for the Secrets' data that will hold it, the
    // same Secrets read back give the same certificates (made by us, decided as kept until stableThrough).
    const stored = outcome.made.length > 0 ? databaseTlsSecretData(outcome.certificates) : existing;
    const through = outcome.stableThrough ?? stableThrough(outcome.certificates);
    this.entries.set(key, {
      digest: digest(subject, stored.ca, stored.tls), stableThrough: through.getTime(), outcome: { certificates: outcome.certificates, stableThrough: through },
    });
    return outcome;
  }

  forget(key: string): void {
    this.entries.delete(key);
  }
}
