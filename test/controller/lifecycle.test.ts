/** The operator against the in-memory API server over HTTP: the life of one WebStack. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WEBSTACK } from '../../src/controller/resources.js';
import type { WebStack } from '../../src/api/types.js';
import type { Operator } from '../../src/controller/operator.js';
import type { WorkloadSimulator } from '../support/workload-simulator.js';
import { condition, CONFIGMAP, DEPLOYMENT, describeObjects, editStack, EVENTS, getWs, SECRET, stackObjects, startEnv, startOperator, startSimulator, webStack, type Env, type LogCapture,  } from './harness.js';
import { eventually } from '../support/eventually.js';

const NS = 'shop';
let env: Env;
let operator: Operator;
let logs: LogCapture;
let sim: WorkloadSimulator;

beforeAll(async () => {
  env = await startEnv([NS]);
  ({ operator, logs } = startOperator(env, { timings: { resyncPeriodMs: 60_000 } }));
  sim = startSimulator(env, { loadBalancerIp: '203.0.113.10' });
  await eventually('operator caches synced', () => operator.caches.hasSynced());
});

afterAll(async () => {
  await sim?.stop();
  await operator?.stop();
  await env?.close();
});

const spec = {
  apps: [
    { name: 'web', image: 'ghcr.io/acme/shop:1.4', replicas: 2 },
    { name: 'standby', image: 'ghcr.io/acme/shop:1.4', replicas: 1, backup: true },
  ],
};

async function readyWs(name: string, generation: number): Promise<WebStack> {
  return eventually(`${name} Ready at generation ${generation}`, async () => {
    const ws = await getWs(env, NS, name);
    return ws?.status?.observedGeneration === generation && condition(ws, 'Ready')?.status === 'True' ? ws : undefined;
  });
}

async function editSpec(name: string, edit: (ws: WebStack) => void): Promise<number> {
  return (await editStack(env, NS, name, edit)).metadata.generation!;
}

describe('a WebStack through its life', () => {
  let uid = '';
  let password = '';

  it('create: every child exists with a controller owner reference, and Ready becomes True', async () => {
    const created = await env.client.create<WebStack>(WEBSTACK, NS, webStack('shop', spec));
    uid = created.metadata.uid!;
    const ws = await readyWs('shop', 1);
    const objs = await stackObjects(env, NS, 'shop');
    expect(describeObjects(objs)).toEqual(expect.arrayContaining([
      'ConfigMap/shop-haproxy', 'ConfigMap/shop-mysql', 'Deployment/shop-haproxy', 'Deployment/shop-standby', 'Deployment/shop-web',
      'Secret/shop-mysql', 'Service/shop-haproxy', 'Service/shop-mysql-primary', 'Service/shop-mysql-replicas', 'StatefulSet/shop-mysql',
    ]));
    for (const o of objs) {
      const refs = o.metadata.ownerReferences as { uid: string; controller: boolean; kind: string }[];
      expect(refs).toEqual([expect.objectContaining({ uid, controller: true, kind: 'WebStack' })]);
    }
    expect(ws.status!.apps).toEqual([{ name: 'web', replicas: 2, readyReplicas: 2 }, { name: 'standby', replicas: 1, readyReplicas: 1 }]);
    expect(ws.status!.appsSummary).toBe('web 2/2, standby 1/1');
    // The address comes from the (simulated) cloud on its own time: Ready does not wait for it.
    const withAddress = await eventually('the load balancer address in the status', async () => {
      const w = await getWs(env, NS, 'shop');
      return w?.status?.loadBalancer?.address ? w : undefined;
    });
    expect(withAddress.status!.loadBalancer).toEqual({ readyReplicas: 2, address: '203.0.113.10' });
    for (const c of ws.status!.conditions!) expect(c.observedGeneration).toBe(1);
    expect(condition(ws, 'Progressing')?.status).toBe('False');
    expect(condition(ws, 'Degraded')?.status).toBe('False');
    const secret = await env.client.get<{ data: Record<string, string> }>(SECRET, NS, 'shop-mysql');
    password = Buffer.from(secret!.data['admin-password'], 'base64').toString();
    expect(password.length).toBeGreaterThan(10);
    const { items } = await env.client.list<{ reason: string; message: string; involvedObject: { name: string } }>(EVENTS, NS);
    const createdEvents = items.filter((e) => e.reason === 'Created' && e.involvedObject.name === 'shop').map((e) => e.message).join('\n');
    for (const o of objs) expect(createdEvents).toContain(`${o.kind} ${o.metadata.name}`);
    // The first CA and certificate are named there (Secret shop-mysql-ca, shop-mysql-tls), not in an Event of their own.
    expect(items.filter((e) => e.reason === 'CertificateIssued')).toEqual([]);
  });

  it('steady state: a resync of a converged stack writes nothing', async () => {
    const before = operator.client.counts.writes;
    for (let i = 0; i < 3; i++) operator.controller.queue.add(`${NS}/shop`);
    await eventually('the queue to drain', () => operator.controller.queue.len() === 0 && !operator.controller.queue.isProcessing(`${NS}/shop`));
    await new Promise((r) => setTimeout(r, 500));
    expect(operator.client.counts.writes).toBe(before);
  });

  it('spec edit: children follow and observedGeneration moves; credentials never change', async () => {
    const gen = await editSpec('shop', (ws) => { ws.spec.apps[0].replicas = 3; ws.spec.apps[0].image = 'ghcr.io/acme/shop:1.5'; });
    const ws = await readyWs('shop', gen);
    const dep = await env.client.get<{ spec: { replicas: number; template: { spec: { containers: { image: string }[] } } } }>(DEPLOYMENT, NS, 'shop-web');
    expect(dep!.spec.replicas).toBe(3);
    expect(dep!.spec.template.spec.containers[0].image).toBe('ghcr.io/acme/shop:1.5');
    expect(ws.status!.appsSummary).toBe('web 3/3, standby 1/1');
    const secret = await env.client.get<{ data: Record<string, string> }>(SECRET, NS, 'shop-mysql');
    expect(Buffer.from(secret!.data['admin-password'], 'base64').toString()).toBe(password);
  });

  it('another writer\'s conflicting change is repaired', async () => {
    await env.client.mergePatch(DEPLOYMENT, NS, 'shop-web', { spec: { replicas: 7 } });
    await eventually('replicas reverted to 3', async () =>
      (await env.client.get<{ spec: { replicas: number } }>(DEPLOYMENT, NS, 'shop-web'))!.spec.replicas === 3);
    await env.client.delete(CONFIGMAP, NS, 'shop-haproxy');
    await eventually('deleted ConfigMap recreated', async () => (await env.client.get(CONFIGMAP, NS, 'shop-haproxy')) !== undefined);
  });

  it('a deleted database certificate is made again by the same CA, and a CertificateIssued Event says so', async () => {
    const ca = await env.client.get<{ data: Record<string, string> }>(SECRET, NS, 'shop-mysql-ca');
    await env.client.delete(SECRET, NS, 'shop-mysql-tls');
    const issued = await eventually('a CertificateIssued Event', async () => {
      const { items } = await env.client.list<{ reason: string; message: string }>(EVENTS, NS);
      return items.find((e) => e.reason === 'CertificateIssued');
    });
    expect(issued.message).toBe('made the database server certificate (no server certificate yet)');
    await eventually('the TLS Secret made again', async () => (await env.client.get(SECRET, NS, 'shop-mysql-tls')) !== undefined);
    expect((await env.client.get<{ data: Record<string, string> }>(SECRET, NS, 'shop-mysql-ca'))!.data).toEqual(ca!.data);
  });

  it('a pod down shows as Degraded, and Ready again once it is back', async () => {
    sim.holdDown('Deployment', NS, 'shop-web', 1);
    const ws = await eventually('Degraded', async () => {
      const w = await getWs(env, NS, 'shop');
      return condition(w, 'Degraded')?.status === 'True' ? w : undefined;
    });
    expect(condition(ws, 'Degraded')?.reason).toBe('ReplicasUnavailable');
    expect(condition(ws, 'Degraded')?.message).toContain('app web: 2/3 pods ready');
    expect(condition(ws, 'Ready')?.status).toBe('False');
    sim.heal('Deployment', NS, 'shop-web');
    await readyWs('shop', ws.metadata.generation!);
  });

  it('every app pod down: not Ready, and the reason names the tiers', async () => {
    sim.holdDown('Deployment', NS, 'shop-web', 3);
    sim.holdDown('Deployment', NS, 'shop-standby', 1);
    const ws = await eventually('NoAppPodReady', async () => {
      const w = await getWs(env, NS, 'shop');
      return condition(w, 'Ready')?.reason === 'NoAppPodReady' ? w : undefined;
    });
    expect(condition(ws, 'Ready')?.status).toBe('False');
    expect(condition(ws, 'Ready')?.message).toContain('web 0/3, standby 0/1');
    sim.heal('Deployment', NS, 'shop-web');
    sim.heal('Deployment', NS, 'shop-standby');
    await readyWs('shop', ws.metadata.generation!);
  });

  it('tier removed: its Deployment is deleted, the rest stays', async () => {
    const gen = await editSpec('shop', (ws) => { ws.spec.apps = ws.spec.apps.filter((a) => a.name !== 'standby'); });
    await eventually('standby deleted', async () => (await env.client.get(DEPLOYMENT, NS, 'shop-standby')) === undefined);
    const ws = await readyWs('shop', gen);
    expect(ws.status!.apps!.map((a) => a.name)).toEqual(['web']);
    expect(await env.client.get(DEPLOYMENT, NS, 'shop-web')).toBeDefined();
  });

  it('invalid edit: status says why, a Warning Event, children untouched', async () => {
    const before = await stackObjects(env, NS, 'shop');
    const versions = Object.fromEntries(before.map((o) => [`${o.kind}/${o.metadata.name}`, o.metadata.resourceVersion]));
    // A malformed CIDR passes the CRD schema but not the operator's validation.
    const gen = await editSpec('shop', (ws) => { ws.spec.loadBalancer = { service: { loadBalancerSourceRanges: ['10.0.0.0/99'] } }; });
    const ws = await eventually('InvalidSpec', async () => {
      const w = await getWs(env, NS, 'shop');
      return w?.status?.observedGeneration === gen && condition(w, 'Ready')?.reason === 'InvalidSpec' ? w : undefined;
    });
    expect(condition(ws, 'Ready')?.status).toBe('False');
    expect(condition(ws, 'Ready')?.message).toMatch(/spec\.loadBalancer\.service\.loadBalancerSourceRanges\[0\]/);
    const { items } = await env.client.list<{ type: string; reason: string; message: string }>(EVENTS, NS);
    expect(items.find((e) => e.type === 'Warning' && e.reason === 'InvalidSpec')?.message).toMatch(/spec\.loadBalancer\.service\.loadBalancerSourceRanges\[0\]/);
    await new Promise((r) => setTimeout(r, 500));
    const after = await stackObjects(env, NS, 'shop');
    expect(Object.fromEntries(after.map((o) => [`${o.kind}/${o.metadata.name}`, o.metadata.resourceVersion]))).toEqual(versions);
  });

  it('fixing the spec makes it Ready again', async () => {
    const gen = await editSpec('shop', (ws) => { delete ws.spec.loadBalancer; });
    await readyWs('shop', gen);
  });

  it('delete: the WebStack and all its children are garbage collected', async () => {
    await env.client.delete(WEBSTACK, NS, 'shop');
    await eventually('children gone', async () => (await stackObjects(env, NS, 'shop')).length === 0);
    expect(await getWs(env, NS, 'shop')).toBeUndefined();
  });

  it('no secret value ever reached a log line or an Event', async () => {
    expect(logs.lines.length).toBeGreaterThan(5);
    expect(logs.lines.join('')).not.toContain(password);
    const { items } = await env.client.list<{ message: string }>(EVENTS, NS);
    expect(items.map((e) => e.message).join('\n')).not.toContain(password);
    const line = JSON.parse(logs.lines.find((l) => l.includes('created children'))!) as Record<string, unknown>;
    expect(line).toEqual(expect.objectContaining({ namespace: NS, name: 'shop' }));
    expect(line.objects).toEqual(expect.arrayContaining(['Deployment shop-haproxy', 'Secret shop-mysql']));
  });
});
