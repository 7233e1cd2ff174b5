import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CA_LIFETIME_DAYS, certificateFacts, issueServerCertificate, newCertificateAuthority, SERVER_LIFETIME_DAYS, splitPemBundle,
} from '../../src/pki/certificates.js';
import { CA_SECRET_KEYS, databaseCertificates, TLS_SECRET_KEYS, type DatabaseCertificates } from '../../src/pki/database-certificates.js';
import { databaseServerNames } from '../../src/pki/names.js';
import { planCertificateAuthority, planServerCertificate } from '../../src/pki/rotation.js';

const DAY = 24 * 60 * 60 * 1000;
const t0 = new Date('2026-01-01T00:00:00Z');
const at = (days: number) => new Date(t0.getTime() + days * DAY);
const NAMES = databaseServerNames('shop', 'prod', 'cluster.local');

const ca = await newCertificateAuthority('prod/shop database CA', t0);
const caFacts = certificateFacts(ca.certificate)!;
const server = await issueServerCertificate(ca, 'shop-mysql', NAMES, t0);
const otherCa = await newCertificateAuthority('other', t0);

const b64 = (s: string) => Buffer.from(s).toString('base64');
function secretData(c: DatabaseCertificates) {
  return {
    ca: { [CA_SECRET_KEYS.certificate]: b64(c.caBundle), [CA_SECRET_KEYS.privateKey]: b64(c.ca.privateKey) },
    tls: { [TLS_SECRET_KEYS.certificate]: b64(c.server.certificate), [TLS_SECRET_KEYS.privateKey]: b64(c.server.privateKey) },
  };
}

describe('database certificates', () => {
  it('are accepted by openssl: the server certificate verifies against the CA, for the pod and Service names', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pki-'));
    try {
      writeFileSync(path.join(dir, 'ca.pem'), ca.certificate);
      writeFileSync(path.join(dir, 'server.pem'), server.certificate);
      const verify = (name: string) => execFileSync('openssl', ['verify', '-CAfile', path.join(dir, 'ca.pem'), '-attime', String(t0.getTime() / 1000 + 60),
        '-verify_hostname', name, path.join(dir, 'server.pem')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      expect(verify('shop-mysql-1.shop-mysql.prod.svc')).toContain('OK');
      expect(verify('shop-mysql-primary.prod.svc.cluster.local')).toContain('OK');
      expect(() => verify('shop-mysql-1.shop-mysql.other.svc')).toThrow();
      writeFileSync(path.join(dir, 'other.pem'), otherCa.certificate);
      expect(() => execFileSync('openssl', ['verify', '-CAfile', path.join(dir, 'other.pem'), path.join(dir, 'server.pem')],
        { stdio: 'pipe' })).toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ['fresh', server.certificate, server.privateKey, NAMES, t0, 'keep'],
    ['with more than a third of its lifetime left', server.certificate, server.privateKey, NAMES, at(SERVER_LIFETIME_DAYS * 2 / 3 - 1), 'keep'],
    ['with less than a third left', server.certificate, server.privateKey, NAMES, at(SERVER_LIFETIME_DAYS * 2 / 3 + 1), 'expires at'],
    ['expired', server.certificate, server.privateKey, NAMES, at(SERVER_LIFETIME_DAYS + 1), 'expired at'],
    ['missing', undefined, undefined, NAMES, t0, 'no server certificate yet'],
    ['unreadable', 'garbage', server.privateKey, NAMES, t0, 'unreadable'],
    ['with a key of another certificate', server.certificate, ca.privateKey, NAMES, t0, 'key does not match'],
    ['for other names', server.certificate, server.privateKey, databaseServerNames('shop', 'dev', 'cluster.local'), t0, 'other hosts'],
  ])('server certificate %s', (_, cert, key, names, now, expected) => {
    const d = planServerCertificate(cert, key, caFacts, names, now);
    if (expected === 'keep') expect(d).toEqual({ action: 'keep' });
    else expect(d).toEqual({ action: 'make', reason: expect.stringContaining(expected) });
  });

  it('a server certificate of another CA is issued again', async () => {
    const foreign = await issueServerCertificate(otherCa, 'shop-mysql', NAMES, t0);
    expect(planServerCertificate(foreign.certificate, foreign.privateKey, caFacts, NAMES, t0))
      .toEqual({ action: 'make', reason: 'the server certificate is not signed by the current CA' });
  });

  it.each([
    ['kept for most of its lifetime', at(CA_LIFETIME_DAYS * 2 / 3 - 1), 'keep'],
    ['renewed with a third left', at(CA_LIFETIME_DAYS * 2 / 3 + 1), 'the CA expires at'],
  ])('the CA is %s', (_, now, expected) => {
    const d = planCertificateAuthority(ca.certificate, ca.privateKey, now);
    if (expected === 'keep') expect(d).toEqual({ action: 'keep' });
    else expect(d).toEqual({ action: 'make', reason: expect.stringContaining(expected) });
  });

  it('are made once, then kept as the Secrets hold them', async () => {
    const first = await databaseCertificates({}, { stack: 'shop', namespace: 'prod', clusterDomain: 'cluster.local' }, t0);
    expect(first.made).toEqual(['CA (no CA yet)', 'server certificate (no server certificate yet)']);
    const again = await databaseCertificates(secretData(first.certificates), { stack: 'shop', namespace: 'prod', clusterDomain: 'cluster.local' }, at(1));
    expect(again.made).toEqual([]);
    expect(again.certificates).toEqual(first.certificates);
  });

  it('stay the same for the same Secrets through stableThrough, the first renewal due, and not a millisecond later', async () => {
    const subject = { stack: 'shop', namespace: 'prod', clusterDomain: 'cluster.local' };
    const first = await databaseCertificates({}, subject, t0);
    // Made now, not in the Secrets yet: no promise about them.
    expect(first.stableThrough).toBeUndefined();
    const stored = secretData(first.certificates);
    const kept = await databaseCertificates(stored, subject, t0);
    // The server certificate (90 days) is due long before the CA (10 years).
    const { notBefore, notAfter } = certificateFacts(first.certificates.server.certificate)!;
    expect(notAfter.getTime() - notBefore.getTime()).toBeGreaterThanOrEqual(SERVER_LIFETIME_DAYS * DAY);
    const through = kept.stableThrough!;
    expect(through.getTime()).toBe(Math.floor(notAfter.getTime() - (notAfter.getTime() - notBefore.getTime()) / 3));
    expect(await databaseCertificates(stored, subject, through)).toEqual(kept);
    expect((await databaseCertificates(stored, subject, new Date(through.getTime() + 1))).made)
      .toEqual([expect.stringMatching(/^server certificate \(the server certificate expires at/)]);
  });

  it('stableThrough ends before an earlier CA the bundle trusts expires', async () => {
    const subject = { stack: 'shop', namespace: 'prod', clusterDomain: 'cluster.local' };
    const first = (await databaseCertificates({}, subject, t0)).certificates;
    const renewed = await databaseCertificates(secretData(first), subject, at(CA_LIFETIME_DAYS * 2 / 3 + 1));
    const server = await databaseCertificates(secretData(renewed.certificates), subject, at(CA_LIFETIME_DAYS - 1));
    expect(server.made).toEqual([expect.stringMatching(/^server certificate/)]);
    const kept = await databaseCertificates(secretData(server.certificates), subject, at(CA_LIFETIME_DAYS - 1));
    expect(kept.made).toEqual([]);
    const through = kept.stableThrough!;
    expect(through.getTime()).toBe(certificateFacts(first.ca.certificate)!.notAfter.getTime() - 1);
    expect(splitPemBundle((await databaseCertificates(secretData(server.certificates), subject, through)).certificates.caBundle)).toHaveLength(2);
    expect(splitPemBundle((await databaseCertificates(secretData(server.certificates), subject, new Date(through.getTime() + 1))).certificates.caBundle))
      .toHaveLength(1);
  });

  it('a renewed CA signs a new server certificate and the bundle keeps trusting the old CA until it expires', async () => {
    const subject = { stack: 'shop', namespace: 'prod', clusterDomain: 'cluster.local' };
    const first = (await databaseCertificates({}, subject, t0)).certificates;
    const renewed = await databaseCertificates(secretData(first), subject, at(CA_LIFETIME_DAYS * 2 / 3 + 1));
    expect(renewed.made).toEqual([expect.stringMatching(/^CA \(the CA expires at/), 'server certificate (the server certificate is not signed by the current CA)']);
    expect(splitPemBundle(renewed.certificates.caBundle)).toEqual([renewed.certificates.ca.certificate.trim(), first.ca.certificate.trim()]);
    const later = await databaseCertificates(secretData(renewed.certificates), subject, at(CA_LIFETIME_DAYS + 1));
    expect(splitPemBundle(later.certificates.caBundle)).toEqual([renewed.certificates.ca.certificate.trim()]);
  });
});
