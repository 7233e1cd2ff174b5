/** WebStacks that exercise every haproxy.cfg feature: the golden configs and `haproxy -c` runs use them. */
import type { BalanceAlgorithm, WebStack, WebStackSpec } from '../../src/api/types.js';

export function webStack(name: string, spec: WebStackSpec, namespace = 'shop'): WebStack {
  return { apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStack', metadata: { name, namespace, uid: `uid-${name}` }, spec };
}

export const minimal = webStack('minimal', { apps: [{ name: 'web', image: 'ghcr.io/acme/shop:1.4' }] });

/** TLS, two weighted active tiers and a passive one: the seed's two servers plus a standby. */
export const tlsWeightedBackup = webStack('store', {
  loadBalancer: {
    replicas: 3,
    algorithm: 'leastconn',
    tls: { secretName: 'store-tls', hstsMaxAgeSeconds: 600 },
    healthCheck: { path: '/ready', intervalSeconds: 1, fall: 2, rise: 1 },
    service: { type: 'LoadBalancer', loadBalancerSourceRanges: ['10.0.0.0/8'], annotations: { 'example.com/lb': 'internal' } },
  },
  apps: [
    { name: 'web', image: 'ghcr.io/acme/shop:1.4', replicas: 3, weight: 150 },
    { name: 'canary', image: 'ghcr.io/acme/shop:1.5', replicas: 1, weight: 50 },
    { name: 'standby', image: 'ghcr.io/acme/shop:1.3', replicas: 2, backup: true },
  ],
});

export const tlsWithoutRedirect = webStack('plain', {
  loadBalancer: { tls: { secretName: 'plain-tls', redirectHttp: false }, service: { type: 'ClusterIP' } },
  apps: [{ name: 'api', image: 'ghcr.io/acme/api:2', replicas: 1 }],
});

export function withAlgorithm(algorithm: BalanceAlgorithm): WebStack {
  return webStack(`algo-${algorithm}`, {
    loadBalancer: { algorithm },
    apps: [{ name: 'web', image: 'ghcr.io/acme/shop:1.4', replicas: 4 }, { name: 'spare', image: 'ghcr.io/acme/shop:1.4', replicas: 1, backup: true }],
  });
}

/** Golden configs: file name (test/render/golden/haproxy-<name>.cfg) -> WebStack. */
export const goldenExamples: Record<string, WebStack> = {
  minimal,
  'tls-weighted-backup': tlsWeightedBackup,
  'tls-no-redirect': tlsWithoutRedirect,
};
