/**
 * Hostile neighbours and edits the schema alone can't stop (issue 12): a stack never takes
 * another's objects, removed fields leave the child, a bad TLS Secret is reported on the stack,
 * a user's database Secret is used and never adopted, and immutable fields are refused against
 * what runs even when the CRD carries no CEL rules.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WEBSTACK } from '../../src/controller/resources.js';
import { ANNOTATION_TLS_CHECKSUM } from '../../src/api/labels.js';
import { tlsChecksum } from '../../src/render/loadbalancer.js';
import type { WebStack } from '../../src/api/types.js';
import type { Operator } from '../../src/controller/operator.js';
import type { KubeObj } from '../../src/kube/client.js';
import type { WorkloadSimulator } from '../support/workload-simulator.js';
import { condition, DEPLOYMENT, editStack, getWs, SECRET, SERVICE, STATEFULSET, startEnv, startOperator, startSimulator, webStack, type Env } from './harness.js';
import { eventually } from '../support/eventually.js';

const NS = 'shop';
const CRD = { kind: 'CustomResourceDefinition', apiVersion: 'apiextensions.k8s.io/v1', plural: 'customresourcedefinitions', namespaced: false };
let env: Env;
let operator: Operator;
let sim: WorkloadSimulator;

/** The CRD as an older release or a cluster skipping CEL would serve it: no x-kubernetes-validations. */
function withoutCel(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutCel);
  if (node && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).filter(([k]) => k !== 'x-kubernetes-validations').map(([k, v]) => [k, withoutCel(v)]));
  }
  return node;
}

beforeAll(async () => {
  env = await startEnv([NS]);
  const crd = await env.client.get<KubeObj>(CRD, undefined, 'webstacks.webstack.dev');
  await env.client.update(CRD, undefined, 'webstacks.webstack.dev', withoutCel(crd) as KubeObj);
  ({ operator } = startOperator(env, { timings: { resyncPeriodMs: 60_000, terminatingRecheckMs: 300 } }));
  sim = startSimulator(env);
  await eventually('operator caches synced', () => operator.caches.hasSynced());
});

afterAll(async () => {
  await sim?.stop();
  await operator?.stop();
  await env?.close();
});

const image = 'ghcr.io/acme/shop:1.4';

async function readyWs(name: string): Promise<WebStack> {
  return eventually(`${name} Ready`, async () => {
    const ws = await getWs(env, NS, name);
    return ws?.status?.observedGeneration === ws?.metadata.generation && condition(ws, 'Ready')?.status === 'True' ? ws : undefined;
  });
}

async function notReady(name: string, reason: string, saying = ''): Promise<{ ws: WebStack; message: string }> {
  return eventually(`${name} Ready=False ${reason} ${saying}`, async () => {
    const ws = await getWs(env, NS, name);
    const ready = condition(ws, 'Ready');
    return ws && ws.status?.observedGeneration === ws.metadata.generation && ready?.status === 'False' && ready.reason === reason
      && ready.message.includes(saying) ? { ws, message: ready.message } : undefined;
  });
}

async function editSpec(name: string, edit: (ws: WebStack) => void): Promise<void> {
  await editStack(env, NS, name, edit);
}

const ownerUid = (o: KubeObj | undefined) => (o?.metadata.ownerReferences as { uid: string }[] | undefined)?.map((r) => r.uid);

describe('neighbours and edits the schema cannot stop', () => {
  it('two stacks wanting one Service name: the first keeps it, the later stack says Conflict naming it and its owner', async () => {
    const first = await env.client.create<WebStack>(WEBSTACK, NS, webStack('shop-b', { apps: [{ name: 'web', image, replicas: 1 }] }));
    await readyWs('shop-b');
    const before = await env.client.get<KubeObj>(SERVICE, NS, 'shop-b-web');
    await env.client.create<WebStack>(WEBSTACK, NS, webStack('shop', { apps: [{ name: 'b-web', image, replicas: 1 }] }));
    const { message } = await notReady('shop', 'Conflict');
    expect(message).toContain('Service shop-b-web belongs to WebStack shop-b');
    expect(message).toContain('Deployment shop-b-web belongs to WebStack shop-b');
    const after = await env.client.get<KubeObj>(SERVICE, NS, 'shop-b-web');
    expect(ownerUid(after)).toEqual([first.metadata.uid]);
    expect(after?.metadata.resourceVersion).toBe(before?.metadata.resourceVersion);
    expect(condition(await getWs(env, NS, 'shop-b'), 'Ready')?.status).toBe('True');
    // The rest of the later stack exists: only the contested objects are held back.
    expect(await env.client.get(STATEFULSET, NS, 'shop-mysql')).toBeDefined();
  });

  it('a removed optional field leaves the child', async () => {
    await editSpec('shop-b', (ws) => { ws.spec.apps[0].resources = { limits: { memory: '256Mi' } }; });
    await eventually('resources set', async () => {
      const d = await env.client.get<{ spec: { template: { spec: { containers: { resources?: object }[] } } } }>(DEPLOYMENT, NS, 'shop-b-web');
      return d?.spec.template.spec.containers[0].resources !== undefined && Object.keys(d.spec.template.spec.containers[0].resources).length > 0;
    });
    await editSpec('shop-b', (ws) => { delete ws.spec.apps[0].resources; });
    await eventually('resources removed', async () => {
      const d = await env.client.get<{ spec: { template: { spec: { containers: { resources?: object }[] } } } }>(DEPLOYMENT, NS, 'shop-b-web');
      const r = d?.spec.template.spec.containers[0].resources;
      return r === undefined || Object.keys(r).length === 0;
    });
    await readyWs('shop-b');
  });

  it('a missing, then wrong, TLS Secret is reported on the stack; HAProxy is left as it runs; a renewal rolls it', async () => {
    const before = await env.client.get<KubeObj>(DEPLOYMENT, NS, 'shop-b-haproxy');
    await editSpec('shop-b', (ws) => { ws.spec.loadBalancer = { tls: { secretName: 'shop-b-tls' } }; });
    expect((await notReady('shop-b', 'InvalidTLSSecret')).message).toContain('Secret shop-b-tls not found');
    await env.client.create(SECRET, NS, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'shop-b-tls' }, type: 'Opaque', data: { 'tls.crt': 'eA==' } });
    await notReady('shop-b', 'InvalidTLSSecret', 'Secret shop-b-tls has type Opaque, want kubernetes.io/tls');
    const after = await env.client.get<KubeObj>(DEPLOYMENT, NS, 'shop-b-haproxy');
    expect(after?.metadata.resourceVersion).toBe(before?.metadata.resourceVersion);

    // A usable Secret, then its renewal (as cert-manager does it): the pod template follows its content.
    const tlsData = (n: string) => ({ 'tls.crt': Buffer.from(`cert ${n}`).toString('base64'), 'tls.key': Buffer.from(`key ${n}`).toString('base64') });
    await env.client.delete(SECRET, NS, 'shop-b-tls');
    await env.client.create(SECRET, NS, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'shop-b-tls' }, type: 'kubernetes.io/tls', data: tlsData('1') });
    const annotation = async () => (await env.client.get<KubeObj & { spec: { template: { metadata: { annotations: Record<string, string> } } } }>(
      DEPLOYMENT, NS, 'shop-b-haproxy'))?.spec.template.metadata.annotations[ANNOTATION_TLS_CHECKSUM];
    await eventually('the first certificate\'s digest on the pod template', async () => (await annotation()) === tlsChecksum(tlsData('1')));
    await env.client.mergePatch(SECRET, NS, 'shop-b-tls', { data: tlsData('2') });
    await eventually('the renewed certificate\'s digest on the pod template', async () => (await annotation()) === tlsChecksum(tlsData('2')));
    await editSpec('shop-b', (ws) => { delete ws.spec.loadBalancer; });
    await readyWs('shop-b');
  });

  it('a database Secret the user made is used, never adopted', async () => {
    const data = Object.fromEntries(['admin-user', 'admin-password', 'replication-user', 'replication-password', 'app-password']
      .map((k) => [k, Buffer.from(`${k.replace('-', '')}x`).toString('base64')]));
    await env.client.create(SECRET, NS, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'mine-mysql' }, type: 'Opaque', data });
    await env.client.create<WebStack>(WEBSTACK, NS, webStack('mine', { apps: [{ name: 'web', image, replicas: 1 }] }));
    await readyWs('mine');
    const secret = await env.client.get<KubeObj & { data: Record<string, string> }>(SECRET, NS, 'mine-mysql');
    expect(secret?.metadata.ownerReferences ?? []).toEqual([]);
    expect(secret?.data).toEqual(data);
  });

  it('engine, databaseName and user changed where the CRD has no rules: InvalidSpec naming each, the StatefulSet untouched', async () => {
    const before = await env.client.get<KubeObj>(STATEFULSET, NS, 'shop-b-mysql');
    await editSpec('shop-b', (ws) => { ws.spec.database = { engine: 'mariadb', databaseName: 'other', user: 'other' }; });
    const { message } = await notReady('shop-b', 'InvalidSpec');
    expect(message).toContain('spec.database.engine: is immutable');
    expect(message).toContain('spec.database.databaseName: is immutable');
    expect(message).toContain('spec.database.user: is immutable');
    const after = await env.client.get<KubeObj>(STATEFULSET, NS, 'shop-b-mysql');
    expect(after?.metadata.resourceVersion).toBe(before?.metadata.resourceVersion);
  });
});
