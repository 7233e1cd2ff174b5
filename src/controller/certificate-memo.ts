/**
 * The database certificates decided for each stack, reused while its two Secrets hold the same data
 * and the decision cannot have changed (up to `stableThrough`): a reconcile that finds nothing new
 * parses no certificate and loads no key. The Secrets are compared by a digest, never kept.
 */
import { createHash } from 'node:crypto';
import {
  databaseCertificates, type CertificatesOutcome, type CertificateSubject, type DatabaseCertificates,
} from '../pki/database-certificates.js';

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
  certificates(key: string, existing: { ca: SecretData; tls: SecretData }, subject: CertificateSubject, now: Date): CertificatesOutcome {
    const d = digest(subject, existing.ca, existing.tls);
    const kept = this.entries.get(key);
    if (kept && kept.digest === d && now.getTime() <= kept.stableThrough) return { ...kept.outcome, made: [] };
    const outcome = databaseCertificates(existing, subject, now);
    // Something made is not in the Secrets yet: the next reconcile reads it back and is remembered then.
    if (!outcome.stableThrough) this.entries.delete(key);
    else this.entries.set(key, { digest: d, stableThrough: outcome.stableThrough.getTime(), outcome: { certificates: outcome.certificates, stableThrough: outcome.stableThrough } });
    return outcome;
  }

  forget(key: string): void {
    this.entries.delete(key);
  }
}
