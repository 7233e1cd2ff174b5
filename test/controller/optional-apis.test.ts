/**
 * A stack's Gateway API route and cert-manager Certificate on the in-memory API server: without
 * their CRDs the stack says what to install and every other child is applied; once a CRD is
 * installed the operator notices (discovery is asked again) and creates the object, owned by the
 * stack; a spec that stops asking for it deletes it. The official CRDs: test-kube/optional-apis.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Operator } from '../../src/controller/operator.js';
import { CERTIFICATE, HTTPROUTE, TLSROUTE, WEBSTACK } from '../../src/controller/resources.js';
import type { KubeObj } from '../../src/kube/client.js';
import type { ResourceType } from '../../src/kube/resource-type.js';
import { eventually } from '../support/eventually.js';
import { newCertificateAuthority, issueServerCertificate } from '../../src/pki/certificates.js';
import { condition, DEPLOYMENT, getWs, SECRET, STATEFULSET, startEnv, startOperator, webStack, type Env } from './harness.js';

const NS = 'shop';
const CRD = { kind: 'CustomResourceDefinition', apiVersion: 'apiextensions.k8s.io/v1', plural: 'customresourcedefinitions', namespaced: false };
let env: Env;
let operator: Operator;

/** A CRD serving `t` with any content: the in-memory test is about serving, not the schema (test-kube checks that). */
function crdFor(t: ResourceType): object {
  const [group, version] = t.apiVersion.split('/');
  return {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `${t.plural}.${group}` },
    spec: {
      group, scope: 'Namespaced',
      names: { kind: t.kind, plural: t.plural, singular: t.kind.toLowerCase(), listKind: `${t.kind}List` },
      versions: [{ name: version, served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
    },
  };
}

async function readyReason(name: string): Promise<{ reason: string; message: string } | undefined> {
  const ws = await getWs(env, NS, name);
  const ready = condition(ws, 'Ready');
  return ws?.status?.observedGeneration === ws?.metadata.generation && ready ? { reason: ready.reason, message: ready.message } : undefined;
}

beforeAll(async () => {
  env = await startEnv([NS]);
  ({ operator } = startOperator(env, { timings: { resyncPeriodMs: 60_000, optionalApiRecheckMs: 300 } }));
  await eventually('operator caches synced', () => operator.caches.hasSynced());
});

afterAll(async () => {
  await operator?.stop();
  await env?.close();
});

describe('Gateway API routes and cert-manager Certificates', () => {
  const apps = [{ name: 'web', image: 'ghcr.io/acme/shop:1.4', replicas: 1 }];

  it('without the Gateway API: the stack says what to install and the rest is applied; with it, the HTTPRoute is created and later pruned', async () => {
    await env.client.create(WEBSTACK, NS, webStack('front', { apps, loadBalancer: { gateway: { parentRefs: [{ name: 'edge' }], hostnames: ['shop.example.com'] } } }));
    const missing = await eventually('Ready=False GatewayAPINotInstalled', async () => {
      const r = await readyReason('front');
      return r?.reason === 'GatewayAPINotInstalled' ? r : undefined;
    });
    expect(missing.message).toBe('spec.loadBalancer.gateway: the API server does not serve HTTPRoute (gateway.networking.k8s.io/v1); install the Gateway API CRDs (standard channel)');
    expect(await env.client.get(DEPLOYMENT, NS, 'front-haproxy')).toBeDefined();

    await env.client.create(CRD, undefined, crdFor(HTTPROUTE));
    const route = await eventually('the HTTPRoute', () => env.client.get<KubeObj & { spec: { rules: { backendRefs: { name: string; port: number }[] }[] } }>(HTTPROUTE, NS, 'front-haproxy'));
    const ws = await getWs(env, NS, 'front');
    expect(route.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'WebStack', name: 'front', uid: ws!.metadata.uid, controller: true })]);
    expect(route.spec.rules[0].backendRefs).toEqual([{ group: '', kind: 'Service', name: 'front-haproxy', port: 80 }]);
    await eventually('Ready no longer GatewayAPINotInstalled', async () => (await readyReason('front'))?.reason !== 'GatewayAPINotInstalled');

    await env.client.mergePatch(WEBSTACK, NS, 'front', { spec: { loadBalancer: { gateway: null } } });
    await eventually('the HTTPRoute deleted', async () => (await env.client.get(HTTPROUTE, NS, 'front-haproxy')) === undefined);
  });

  it('without cert-manager and TLSRoute: Ready names both missing APIs; once installed, the TLSRoute and the Certificate are made', async () => {
    const gateway = { parentRefs: [{ name: 'edge', sectionName: 'tls' }], hostnames: ['secure.example.com'] };
    await env.client.create(WEBSTACK, NS, webStack('secure', { apps, loadBalancer: { tls: { secretName: 'secure-tls', issuerRef: { name: 'letsencrypt' } }, gateway } }));
    const missing = await eventually('Ready=False for the missing APIs', async () => {
      const r = await readyReason('secure');
      return r?.reason === 'GatewayAPINotInstalled' ? r : undefined;
    });
    expect(missing.message).toContain('spec.loadBalancer.gateway: the API server does not serve TLSRoute (gateway.networking.k8s.io/v1alpha2)');
    expect(missing.message).toContain('spec.loadBalancer.tls.issuerRef: the API server does not serve Certificate (cert-manager.io/v1); install cert-manager');

    await env.client.create(CRD, undefined, crdFor(TLSROUTE));
    await env.client.create(CRD, undefined, crdFor(CERTIFICATE));
    const certificate = await eventually('the Certificate', () => env.client.get<KubeObj & { spec: { secretName: string; dnsNames: string[] } }>(CERTIFICATE, NS, 'secure-haproxy'));
    expect(certificate.spec).toMatchObject({ secretName: 'secure-tls', dnsNames: ['secure.example.com'] });
    expect(await eventually('the TLSRoute', () => env.client.get(TLSROUTE, NS, 'secure-haproxy'))).toBeDefined();
    // The Secret cert-manager would write is not there: HAProxy is held back, saying so.
    expect(await eventually('Ready=False InvalidTLSSecret', async () => (await readyReason('secure'))?.reason === 'InvalidTLSSecret')).toBe(true);
  });

  it('database.tls.issuerRef: the operator requests the Certificate, database and app pods wait for the Secret cert-manager writes', async () => {
    await env.client.create(WEBSTACK, NS, webStack('vault', { apps, database: { tls: { issuerRef: { name: 'db-ca', kind: 'ClusterIssuer' } } } }));
    const certificate = await eventually('the database Certificate', () => env.client.get<KubeObj & { spec: { secretName: string; issuerRef: object } }>(CERTIFICATE, NS, 'vault-mysql'));
    expect(certificate.spec).toMatchObject({ secretName: 'vault-mysql-tls', issuerRef: { name: 'db-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' } });
    const pending = await eventually('Ready=False DatabaseCertificatePending', async () => {
      const r = await readyReason('vault');
      return r?.reason === 'DatabaseCertificatePending' ? r : undefined;
    });
    expect(pending.message).toBe('spec.database.tls.issuerRef: Secret vault-mysql-tls not found (yet): cert-manager writes it once the issuer signs; database and app pods wait for it');
    expect(await env.client.get(STATEFULSET, NS, 'vault-mysql')).toBeUndefined();
    expect(await env.client.get(DEPLOYMENT, NS, 'vault-web')).toBeUndefined();
    expect(await env.client.get(SECRET, NS, 'vault-mysql-ca')).toBeUndefined();

    // What cert-manager writes: the stack's labels (secretTemplate), no owner.
    const ca = await newCertificateAuthority('test CA', new Date());
    const server = await issueServerCertificate(ca, 'vault-mysql', ['localhost'], new Date());
    const b64 = (t: string) => Buffer.from(t).toString('base64');
    await env.client.create(SECRET, NS, {
      apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name: 'vault-mysql-tls', labels: { 'webstack.dev/stack': 'vault' } },
      data: { 'tls.crt': b64(server.certificate), 'tls.key': b64(server.privateKey), 'ca.crt': b64(ca.certificate) },
    });
    await eventually('the StatefulSet and the app Deployment', async () => (await env.client.get(STATEFULSET, NS, 'vault-mysql')) && env.client.get(DEPLOYMENT, NS, 'vault-web'));
    expect((await readyReason('vault'))?.reason).not.toBe('DatabaseCertificatePending');
  });

  it('a running stack handed to an issuer keeps its TLS Secret for cert-manager to write over; the operator\'s CA goes', async () => {
    await env.client.create(WEBSTACK, NS, webStack('handover', { apps }));
    const before = await eventually('the operator\'s TLS Secret', async () => (await env.client.get(SECRET, NS, 'handover-mysql-ca')) && env.client.get<KubeObj>(SECRET, NS, 'handover-mysql-tls'));
    await env.client.mergePatch(WEBSTACK, NS, 'handover', { spec: { database: { tls: { issuerRef: { name: 'db-ca' } } } } });
    await eventually('the database Certificate', () => env.client.get(CERTIFICATE, NS, 'handover-mysql'));
    await eventually('the CA Secret deleted', async () => (await env.client.get(SECRET, NS, 'handover-mysql-ca')) === undefined);
    expect((await env.client.get<KubeObj>(SECRET, NS, 'handover-mysql-tls'))?.metadata.uid).toBe(before.metadata.uid);
    expect((await readyReason('handover'))?.reason).not.toBe('DatabaseCertificatePending');
  });

  it('never overwrites a route of the same name that someone else made', async () => {
    const theirs = { apiVersion: HTTPROUTE.apiVersion, kind: 'HTTPRoute', metadata: { name: 'taken-haproxy', namespace: NS }, spec: { rules: [] } };
    await env.client.create(HTTPROUTE, NS, theirs);
    await env.client.create(WEBSTACK, NS, webStack('taken', { apps, loadBalancer: { gateway: { parentRefs: [{ name: 'edge' }] } } }));
    const r = await eventually('Ready=False Conflict', async () => {
      const reason = await readyReason('taken');
      return reason?.reason === 'Conflict' ? reason : undefined;
    });
    expect(r.message).toBe('not applied, owned by someone else: HTTPRoute taken-haproxy exists and is not controlled by this WebStack (no controller owner)');
    expect((await env.client.get<KubeObj>(HTTPROUTE, NS, 'taken-haproxy'))?.metadata.ownerReferences).toBeUndefined();
  });
});
