import { describe, expect, it } from '@jest/globals';
import { renderCertificate } from '../../src/render/certificate.js';
import { withSpec } from './fixtures.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- reaching into rendered objects by path */
describe('renderCertificate', () => {
  it('renders nothing when the TLS Secret is the user\'s own', () => {
    expect(renderCertificate(...withSpec({ loadBalancer: { tls: { secretName: 'shop-tls' } } }))).toBeUndefined();
    expect(renderCertificate(...withSpec({}))).toBeUndefined();
  });

  it('asks the issuer for the Gateway host names, into the Secret HAProxy mounts', () => {
    const gateway = { parentRefs: [{ name: 'edge' }], hostnames: ['shop.example.com', '*.shop.example.com'] };
    const cert = renderCertificate(...withSpec({ loadBalancer: { tls: { secretName: 'shop-tls', issuerRef: { name: 'letsencrypt' } }, gateway } })) as Record<string, any>;
    expect(cert.apiVersion).toBe('cert-manager.io/v1');
    expect(cert.kind).toBe('Certificate');
    expect(cert.metadata).toMatchObject({ name: 'shop-haproxy', namespace: 'shop', labels: { 'webstack.dev/stack': 'shop' } });
    expect(cert.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'WebStack', name: 'shop', controller: true })]);
    expect(cert.spec).toEqual({
      secretName: 'shop-tls',
      dnsNames: ['shop.example.com', '*.shop.example.com'],
      issuerRef: { name: 'letsencrypt', kind: 'Issuer', group: 'cert-manager.io' },
      privateKey: { rotationPolicy: 'Always' },
    });
    const cluster = renderCertificate(...withSpec({
      loadBalancer: { tls: { secretName: 'shop-tls', issuerRef: { name: 'pca', kind: 'AWSPCAClusterIssuer', group: 'awspca.cert-manager.io' } }, gateway },
    })) as Record<string, any>;
    expect(cluster.spec.issuerRef).toEqual({ name: 'pca', kind: 'AWSPCAClusterIssuer', group: 'awspca.cert-manager.io' });
  });
});
