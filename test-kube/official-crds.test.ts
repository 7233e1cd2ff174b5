/**
 * The stack's optional objects against their projects' official CRDs (sigs.k8s.io/gateway-api and
 * cert-manager, fetched by scripts/official-crds.sh) on the real control plane: the API server's
 * own schema and CEL accept every rendered HTTPRoute, TLSRoute and Certificate, field for field,
 * and refuse a broken one naming the field.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { resolveSpec } from '../src/api/defaults.js';
import type { LoadBalancerSpec, WebStack } from '../src/api/types.js';
import { renderCertificate, renderDatabaseCertificate } from '../src/render/certificate.js';
import { DEFAULT_CLUSTER_DOMAIN } from '../src/render/database.js';
import { renderGatewayRoute } from '../src/render/gateway-route.js';
import type { KubeObject } from '../src/render/object.js';
import { kubectlPath } from '../src/sandbox/cli-tools.js';
import { startControlPlane, type ControlPlane } from '../src/sandbox/control-plane/index.js';

const run = promisify(execFile);
let dir: string;
let cp: ControlPlane;
let kubeconfig: string;

async function kubectl(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const file = path.join(dir, 'input.json');
  if (input !== undefined) writeFileSync(file, input);
  try {
    const { stdout, stderr } = await run(kubectlPath(), ['--kubeconfig', kubeconfig, ...args, ...(input === undefined ? [] : ['-f', file])], { timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

function stackWith(loadBalancer: LoadBalancerSpec): WebStack {
  return {
    apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStack', metadata: { name: 'shop', namespace: 'default' },
    spec: { loadBalancer, apps: [{ name: 'web', image: 'x' }] },
  };
}
const route = (loadBalancer: LoadBalancerSpec): KubeObject => { const ws = stackWith(loadBalancer); return renderGatewayRoute(ws, resolveSpec(ws))!; };
const certificate = (loadBalancer: LoadBalancerSpec): KubeObject => { const ws = stackWith(loadBalancer); return renderCertificate(ws, resolveSpec(ws))!; };

async function createKeepingEveryField(rendered: KubeObject): Promise<void> {
  const created = await kubectl(['create', '--validate=strict', '-o', 'json'], JSON.stringify(rendered));
  expect(created).toMatchObject({ code: 0, stderr: '' });
  // The server may add its defaults (a PathPrefix "/" match, weight 1) but drops nothing of ours.
  expect((JSON.parse(created.stdout) as { spec: Record<string, unknown> }).spec).toMatchObject(rendered.spec as Record<string, unknown>);
  expect((await kubectl(['delete', rendered.kind.toLowerCase(), rendered.metadata.name, '-n', 'default'])).code).toBe(0);
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kube-gateway-'));
  const crds = execFileSync('bash', ['scripts/official-crds.sh'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
  cp = await startControlPlane({ dir: path.join(dir, 'cp') });
  kubeconfig = path.join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, cp.kubeconfig());
  for (const crd of readdirSync(crds).filter((f) => f.endsWith('.yaml'))) {
    expect(await kubectl(['apply', '--server-side', '-f', path.join(crds, crd)])).toMatchObject({ code: 0 });
  }
  const established = await kubectl(['wait', '--for=condition=Established', '--timeout=60s',
    'crd/httproutes.gateway.networking.k8s.io', 'crd/tlsroutes.gateway.networking.k8s.io', 'crd/certificates.cert-manager.io']);
  expect(established).toMatchObject({ code: 0 });
}, 240_000);

afterAll(async () => {
  await cp?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Gateway API routes on the real control plane', () => {
  it.each([
    ['an HTTPRoute to two Gateways with host names', { gateway: { parentRefs: [{ name: 'edge' }, { name: 'public', namespace: 'infra', sectionName: 'http', port: 80 }], hostnames: ['shop.example.com', '*.example.com'] } }],
    ['an HTTPRoute for every host name of the Gateway', { gateway: { parentRefs: [{ name: 'edge' }] } }],
    ['a TLSRoute passing TLS through to HAProxy', { tls: { secretName: 'shop-tls' }, gateway: { parentRefs: [{ name: 'edge', sectionName: 'tls' }], hostnames: ['shop.example.com'] } }],
  ] as [string, LoadBalancerSpec][])('accepts %s as rendered, keeping every field', async (_name, loadBalancer) => {
    await createKeepingEveryField(route(loadBalancer));
  });

  it('refuses a route the CRD does not allow, naming the field', async () => {
    const broken = route({ gateway: { parentRefs: [{ name: 'edge' }] } }) as KubeObject & { spec: { rules: { backendRefs: { port: number }[] }[] } };
    broken.spec.rules[0].backendRefs[0].port = 70000;
    const refused = await kubectl(['create', '--validate=strict'], JSON.stringify(broken));
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('spec.rules[0].backendRefs[0].port');
  });
});

describe('cert-manager Certificates on the real control plane', () => {
  const gateway = { parentRefs: [{ name: 'edge' }], hostnames: ['shop.example.com', '*.shop.example.com'] };

  it.each([
    ['from a namespaced Issuer', { name: 'letsencrypt' }],
    ['from a ClusterIssuer', { name: 'letsencrypt', kind: 'ClusterIssuer' }],
  ])('accepts the Certificate %s as rendered, keeping every field', async (_name, issuerRef) => {
    await createKeepingEveryField(certificate({ tls: { secretName: 'shop-tls', issuerRef }, gateway }));
  });

  it('accepts the database servers\' Certificate (database.tls.issuerRef) as rendered, keeping every field', async () => {
    const ws: WebStack = { ...stackWith({}), spec: { apps: [{ name: 'web', image: 'x' }], database: { tls: { issuerRef: { name: 'db-ca', kind: 'ClusterIssuer' } } } } };
    await createKeepingEveryField(renderDatabaseCertificate(ws, resolveSpec(ws), DEFAULT_CLUSTER_DOMAIN)!);
  });

  it('refuses a Certificate the CRD does not allow, naming the field', async () => {
    const broken = certificate({ tls: { secretName: 'shop-tls', issuerRef: { name: 'letsencrypt' } }, gateway }) as KubeObject & { spec: { privateKey: { rotationPolicy: string } } };
    broken.spec.privateKey.rotationPolicy = 'Sometimes';
    const refused = await kubectl(['create', '--validate=strict'], JSON.stringify(broken));
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('spec.privateKey.rotationPolicy');
  });
});
