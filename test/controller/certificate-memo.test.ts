/** The per-stack memo of database certificate decisions: reused only for the same Secrets and while the decision holds. */
import { describe, expect, it } from '@jest/globals';
import { CertificateMemo } from '../../src/controller/certificate-memo.js';
import { CA_SECRET_KEYS, databaseCertificates, TLS_SECRET_KEYS, type DatabaseCertificates } from '../../src/pki/database-certificates.js';
import { databaseTlsSecretData } from '../../src/render/database-tls.js';

const subject = { stack: 'shop', namespace: 'prod', clusterDomain: 'cluster.local' };
const t0 = new Date('2026-01-01T00:00:00Z');
const b64 = (s: string) => Buffer.from(s).toString('base64');

function secretData(c: DatabaseCertificates) {
  return {
    ca: { [CA_SECRET_KEYS.certificate]: b64(c.caBundle), [CA_SECRET_KEYS.privateKey]: b64(c.ca.privateKey) },
    tls: { [TLS_SECRET_KEYS.certificate]: b64(c.server.certificate), [TLS_SECRET_KEYS.privateKey]: b64(c.server.privateKey) },
  };
}

const memo = new CertificateMemo();
const first = await memo.certificates('prod/shop', { ca: undefined, tls: undefined }, subject, t0);
const stored = secretData(first.certificates);

describe('CertificateMemo', () => {

  it('makes what is missing, and makes it again while the Secrets still lack it', async () => {
    expect(first.made).toHaveLength(2);
    expect((await memo.certificates('prod/shop', { ca: undefined, tls: undefined }, subject, t0)).made).toHaveLength(2);
  });

  it('gives the kept decision for the same Secrets through stableThrough, decided once', async () => {
    const kept = await memo.certificates('prod/shop', stored, subject, t0);
    expect(kept.made).toEqual([]);
    const again = await memo.certificates('prod/shop', { ...stored }, subject, kept.stableThrough!);
    expect(again.certificates).toBe(kept.certificates);
    expect(again.made).toEqual([]);
  });

  it('decides again once the decision may have changed: other Secret data, another stack, later than stableThrough', async () => {
    const kept = await memo.certificates('prod/shop', stored, subject, t0);
    const foreign = await memo.certificates('prod/shop', { ...stored, tls: { ...stored.tls, [TLS_SECRET_KEYS.privateKey]: b64('not a key') } }, subject, t0);
    expect(foreign.made).toEqual(['server certificate (the server key does not match its certificate)']);
    expect((await memo.certificates('prod/shop', stored, { ...subject, namespace: 'other' }, t0)).made)
      .toEqual(['server certificate (the server certificate names other hosts)']);
    expect((await memo.certificates('prod/shop', stored, subject, new Date(kept.stableThrough!.getTime() + 1))).made)
      .toEqual([expect.stringMatching(/^server certificate \(the server certificate expires at/)]);
  });

  it('keeps what it made for the Secrets that will hold it: read back, they give the same certificates, decided as kept', async () => {
    const fresh = new CertificateMemo();
    const made = await fresh.certificates('prod/new', { ca: undefined, tls: undefined }, subject, t0);
    expect(made.made).toHaveLength(2);
    const applied = databaseTlsSecretData(made.certificates);
    const readBack = await fresh.certificates('prod/new', { ca: { ...applied.ca }, tls: { ...applied.tls } }, subject, t0);
    expect(readBack.certificates).toBe(made.certificates);
    expect(readBack.made).toEqual([]);
    // What a full decision on the same Secrets gives, checked once here rather than in every reconcile.
    const decided = await databaseCertificates(applied, subject, t0);
    expect(decided.made).toEqual([]);
    expect(readBack.stableThrough).toEqual(decided.stableThrough);
    expect((await fresh.certificates('prod/new', { ...applied, tls: { ...applied.tls, [TLS_SECRET_KEYS.privateKey]: b64('not a key') } }, subject, t0)).made)
      .toEqual(['server certificate (the server key does not match its certificate)']);
  });

  it('forgets a stack', async () => {
    const kept = await memo.certificates('prod/shop', stored, subject, t0);
    memo.forget('prod/shop');
    const again = await memo.certificates('prod/shop', stored, subject, t0);
    expect(again.certificates).not.toBe(kept.certificates);
    expect(again.certificates).toEqual(kept.certificates);
  });
});
