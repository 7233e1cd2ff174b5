/**
 * A kubeconfig for the sandbox: plain http on loopback, no credentials, context 'sandbox'.
 * client-node refuses http:// servers unless insecure-skip-tls-verify is set (there is no TLS
 * to verify); kubectl accepts the flag on http too.
 */
import { stringify } from 'yaml';

export function kubeconfigYaml(url: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'sandbox', cluster: { server: url, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'sandbox', user: {} }],
    contexts: [{ name: 'sandbox', context: { cluster: 'sandbox', user: 'sandbox', namespace: 'default' } }],
    'current-context': 'sandbox',
    preferences: {},
  });
}
