/**
 * The stack's cert-manager Certificates. loadBalancer.tls.issuerRef: the certificate HAProxy serves,
 * for the stack's Gateway host names; a renewal changes the Secret, which rolls HAProxy without
 * dropping a connection (see loadbalancer.ts). database.tls.issuerRef: the database servers'
 * certificate, in place of the one the stack's own CA signs (src/pki); servers reread it on their
 * own (the database manager's periodic TLS reload), replicas and apps trust the Secret's ca.crt.
 */
import type { ResolvedSpec } from '../api/defaults.js';
import { names, stackLabels } from '../api/labels.js';
import type { WebStack } from '../api/types.js';
import { databaseServerNames } from '../pki/names.js';
import { ownedMetadata, type KubeObject } from './object.js';

export const CERTIFICATE_API_VERSION = 'cert-manager.io/v1';

/** The Certificate for `ws`'s HAProxy, or none when its TLS Secret is the user's own. */
export function renderCertificate(ws: WebStack, spec: ResolvedSpec): KubeObject | undefined {
  const tls = spec.loadBalancer.tls;
  if (!tls?.issuerRef) return undefined;
  const stack = ws.metadata.name;
  return {
    apiVersion: CERTIFICATE_API_VERSION,
    kind: 'Certificate',
    metadata: ownedMetadata(ws, names.haproxy(stack), stackLabels(stack, 'loadbalancer')),
    spec: {
      secretName: tls.secretName,
      dnsNames: [...(spec.loadBalancer.gateway?.hostnames ?? [])],
      issuerRef: { ...tls.issuerRef },
      // A new key with every renewal: a leaked key stops being useful at the next one.
      privateKey: { rotationPolicy: 'Always' },
    },
  };
}

/**
 * The Certificate of `ws`'s database servers when an issuer signs it, or none when the stack's own CA
 * does. Same names, key type and usages as the operator's own (src/pki): every server of the stack,
 * by each name a client or replica may dial, as a server and as a client. The Secret carries the
 * stack's labels, so the operator sees it as the stack's.
 */
export function renderDatabaseCertificate(ws: WebStack, spec: ResolvedSpec, clusterDomain: string): KubeObject | undefined {
  const issuerRef = spec.database.tls.issuerRef;
  if (!issuerRef) return undefined;
  const stack = ws.metadata.name;
  const labels = stackLabels(stack, 'database');
  return {
    apiVersion: CERTIFICATE_API_VERSION,
    kind: 'Certificate',
    metadata: ownedMetadata(ws, names.mysql(stack), labels),
    spec: {
      secretName: names.mysqlTlsSecret(stack),
      secretTemplate: { labels },
      commonName: names.mysql(stack),
      dnsNames: databaseServerNames(stack, ws.metadata.namespace!, clusterDomain),
      issuerRef: { ...issuerRef },
      privateKey: { algorithm: 'ECDSA', size: 256, encoding: 'PKCS8', rotationPolicy: 'Always' },
      usages: ['digital signature', 'server auth', 'client auth'],
    },
  };
}
