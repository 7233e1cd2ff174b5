/**
 * The cert-manager Certificate of a stack whose TLS comes from an issuer (loadBalancer.tls.issuerRef):
 * cert-manager writes and renews the Secret HAProxy mounts, for the stack's Gateway host names. A
 * renewal changes the Secret, which rolls HAProxy without dropping a connection (see loadbalancer.ts).
 */
import type { ResolvedSpec } from '../api/defaults.js';
import { names, stackLabels } from '../api/labels.js';
import type { WebStack } from '../api/types.js';
import { ownedMetadata, type KubeObject } from './object.js';

export const CERTIFICATE_API_VERSION = 'cert-manager.io/v1';

/** The Certificate for `ws`, or none when its TLS Secret is the user's own. */
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
