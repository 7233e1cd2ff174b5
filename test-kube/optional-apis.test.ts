/**
 * The operator, installed by its Helm chart on the real control plane, with a stack published
 * through a Gateway: before the Gateway API's CRDs exist the stack says GatewayAPINotInstalled and
 * the rest of it is applied; once the official CRDs are installed (scripts/official-crds.sh) the
 * operator creates an HTTPRoute that the real schema accepts, owned by the stack, and deletes it
 * when the spec drops the gateway. The chart's RBAC allows all of it (no 403 in the audit log).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { installOperator, OPERATOR_NAMESPACE, OPERATOR_RELEASE } from '../src/sandbox/kube-plane.js';
import { eventually } from '../test/support/eventually.js';
import { startTestCluster, type TestCluster } from './support/cluster.js';

const OPERATOR_USER = `system:serviceaccount:${OPERATOR_NAMESPACE}:${OPERATOR_RELEASE}`;
let c: TestCluster;
let crds: string;

const STACK = {
  apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStack', metadata: { name: 'shop', namespace: 'default' },
  spec: {
    apps: [{ name: 'web', image: 'ghcr.io/acme/shop:1.4', replicas: 1 }], database: { engine: 'mariadb', replicas: 1, replication: { mode: 'async' } },
    loadBalancer: { replicas: 1, gateway: { parentRefs: [{ name: 'edge', namespace: 'infra' }], hostnames: ['shop.example.com'] } },
  },
};

async function ready(): Promise<{ reason: string; message: string }> {
  const out = (await c.kubectl(['get', 'ws', 'shop', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")]}'])).stdout;
  return out ? JSON.parse(out) as { reason: string; message: string } : { reason: '', message: '' };
}

beforeAll(async () => {
  crds = execFileSync('bash', ['scripts/official-crds.sh'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
  c = await startTestCluster();
  await installOperator(c.kubeconfig);
}, 420_000);

afterAll(async () => {
  await c?.close();
}, 60_000);

describe('a stack behind a Gateway, on the real control plane', () => {
  it('without the Gateway API CRDs: Ready=False GatewayAPINotInstalled, the rest of the stack applied', async () => {
    expect(await c.kubectl(['apply', '-f', '-'], JSON.stringify(STACK))).toMatchObject({ code: 0, stderr: '' });
    const r = await eventually('Ready=False GatewayAPINotInstalled', async () => {
      const cond = await ready();
      return cond.reason === 'GatewayAPINotInstalled' && cond;
    }, 120_000);
    expect(r.message).toBe('spec.loadBalancer.gateway: the API server does not serve HTTPRoute (gateway.networking.k8s.io/v1); install the Gateway API CRDs (standard channel)');
    expect((await c.kubectl(['get', 'deploy/shop-haproxy', 'deploy/shop-web', 'sts/shop-mysql', '-o', 'name'])).code).toBe(0);
    // A Gateway puts the Service behind it: ClusterIP by default.
    expect((await c.kubectl(['get', 'svc', 'shop-haproxy', '-o', 'jsonpath={.spec.type}'])).stdout).toBe('ClusterIP');
  }, 180_000);

  it('once the official CRDs are installed, the operator creates the HTTPRoute the real schema accepts, owned by the stack', async () => {
    const file = path.join(crds, 'gateway-api-gateway.networking.k8s.io_httproutes.yaml');
    expect(await c.kubectl(['apply', '--server-side', '-f', file])).toMatchObject({ code: 0 });
    const route = await eventually('the HTTPRoute', async () => {
      const got = await c.kubectl(['get', 'httproute', 'shop-haproxy', '-o', 'json']);
      return got.code === 0 && JSON.parse(got.stdout) as {
        metadata: { ownerReferences: { kind: string; name: string; controller: boolean }[] };
        spec: { parentRefs: unknown[]; hostnames: string[]; rules: { backendRefs: unknown[] }[] };
      };
    }, 120_000);
    expect(route.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'WebStack', name: 'shop', controller: true })]);
    expect(route.spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'edge', namespace: 'infra' }]);
    expect(route.spec.hostnames).toEqual(['shop.example.com']);
    expect(route.spec.rules[0].backendRefs).toEqual([expect.objectContaining({ group: '', kind: 'Service', name: 'shop-haproxy', port: 80 })]);
    await eventually('Ready no longer GatewayAPINotInstalled', async () => (await ready()).reason !== 'GatewayAPINotInstalled', 60_000);
  }, 180_000);

  it('a spec without the gateway deletes the route; the chart\'s RBAC allowed every request', async () => {
    expect((await c.kubectl(['patch', 'ws', 'shop', '--type=json', '-p', '[{"op":"remove","path":"/spec/loadBalancer/gateway"}]'])).code).toBe(0);
    await eventually('the HTTPRoute deleted', async () => (await c.kubectl(['get', 'httproute', 'shop-haproxy', '-o', 'name'])).stdout.trim() === '', 120_000);
    const forbidden = c.audit(OPERATOR_USER).filter((e) => e.responseStatus?.code === 403)
      .map((e) => `${e.verb} ${e.objectRef?.resource ?? ''} ${e.objectRef?.namespace ?? ''}/${e.objectRef?.name ?? ''}`);
    expect(forbidden).toEqual([]);
    expect(c.audit(OPERATOR_USER).some((e) => e.objectRef?.resource === 'httproutes' && e.verb === 'delete')).toBe(true);
  }, 180_000);

  it('a stack whose certificate comes from cert-manager: with the official CRDs, its Certificate and TLSRoute are created as the real schemas accept them', async () => {
    for (const crd of ['cert-manager-cert-manager.io_certificates.yaml', 'gateway-api-gateway.networking.k8s.io_tlsroutes.yaml']) {
      expect(await c.kubectl(['apply', '--server-side', '-f', path.join(crds, crd)])).toMatchObject({ code: 0 });
    }
    const secure = { ...STACK, metadata: { name: 'secure', namespace: 'default' }, spec: { ...STACK.spec, loadBalancer: {
      replicas: 1, tls: { secretName: 'secure-tls', issuerRef: { name: 'letsencrypt', kind: 'ClusterIssuer' } },
      gateway: { parentRefs: [{ name: 'edge', namespace: 'infra', sectionName: 'tls' }], hostnames: ['secure.example.com'] },
    } } };
    expect(await c.kubectl(['apply', '-f', '-'], JSON.stringify(secure))).toMatchObject({ code: 0, stderr: '' });
    const certificate = await eventually('the Certificate', async () => {
      const got = await c.kubectl(['get', 'certificate.cert-manager.io', 'secure-haproxy', '-o', 'json']);
      return got.code === 0 && JSON.parse(got.stdout) as { spec: Record<string, unknown> };
    }, 120_000);
    expect(certificate.spec).toEqual({ secretName: 'secure-tls', dnsNames: ['secure.example.com'],
      issuerRef: { name: 'letsencrypt', kind: 'ClusterIssuer', group: 'cert-manager.io' }, privateKey: { rotationPolicy: 'Always' } });
    expect((await c.kubectl(['get', 'tlsroute', 'secure-haproxy', '-o', 'name'])).stdout.trim()).toBe('tlsroute.gateway.networking.k8s.io/secure-haproxy');
    // No cert-manager runs here to write the Secret: HAProxy waits for it, saying so.
    await eventually('Ready=False InvalidTLSSecret', async () => {
      const out = (await c.kubectl(['get', 'ws', 'secure', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].reason}'])).stdout;
      return out === 'InvalidTLSSecret';
    }, 60_000);
    expect(c.audit(OPERATOR_USER).filter((e) => e.responseStatus?.code === 403)).toEqual([]);
  }, 180_000);
});
