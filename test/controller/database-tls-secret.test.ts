import { describe, expect, it } from '@jest/globals';
import { databaseTlsSecretProblem } from '../../src/controller/ownership.js';

const TLS = 'kubernetes.io/tls';
const full = { 'tls.crt': 'Y2VydA==', 'tls.key': 'a2V5', 'ca.crt': 'Y2E=' };

describe('databaseTlsSecretProblem: the Secret cert-manager writes for database.tls.issuerRef', () => {
  it.each([
    ['missing', undefined, 'Secret shop-mysql-tls not found (yet): cert-manager writes it once the issuer signs'],
    ['of another type', { type: 'Opaque', data: full }, 'Secret shop-mysql-tls has type Opaque, want kubernetes.io/tls'],
    ['without its key', { type: TLS, data: { 'tls.crt': full['tls.crt'], 'ca.crt': full['ca.crt'] } }, 'Secret shop-mysql-tls lacks tls.key'],
    ['without the CA (an ACME issuer)', { type: TLS, data: { 'tls.crt': full['tls.crt'], 'tls.key': full['tls.key'] } },
      'Secret shop-mysql-tls lacks ca.crt: the issuer must give its CA (a CA or Vault issuer does, ACME does not)'],
    ['complete', { type: TLS, data: full }, undefined],
  ])('%s', (_what, secret, problem) => {
    expect(databaseTlsSecretProblem(secret, 'shop-mysql-tls')).toBe(problem);
  });
});
