import { describe, expect, it } from '@jest/globals';
import { renderCertificate, renderDatabaseCertificate } from '../../src/render/certificate.js';
import { databaseServerNames } from '../../src/pki/names.js';
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

  it('database.tls.issuerRef: a Certificate for every name a client or replica dials, into the Secret the pods mount', () => {
    expect(renderDatabaseCertificate(...withSpec({}), 'cluster.local')).toBeUndefined();
    const [ws, spec] = withSpec({ database: { tls: { issuerRef: { name: 'db-ca', kind: 'ClusterIssuer' } } } });
    const cert = renderDatabaseCertificate(ws, spec, 'example.internal') as Record<string, any>;
    expect(cert.metadata).toMatchObject({ name: 'shop-mysql', namespace: 'shop', labels: { 'webstack.dev/stack': 'shop', 'app.kubernetes.io/component': 'database' } });
    expect(cert.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'WebStack', name: 'shop', controller: true })]);
    expect(cert.spec).toEqual({
      secretName: 'shop-mysql-tls',
      secretTemplate: { labels: cert.metadata.labels },
      commonName: 'shop-mysql',
      dnsNames: databaseServerNames('shop', 'shop', 'example.internal'),
      issuerRef: { name: 'db-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' },
      privateKey: { algorithm: 'ECDSA', size: 256, encoding: 'PKCS8', rotationPolicy: 'Always' },
      usages: ['digital signature', 'server auth', 'client auth'],
    });
    expect(cert.spec.dnsNames).toEqual(expect.arrayContaining(['*.shop-mysql.shop.svc.example.internal', 'shop-mysql-primary.shop.svc', 'localhost']));
  });
});
