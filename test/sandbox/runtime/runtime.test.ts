/**
 * The runtime against the real in-memory API server, with real processes: Deployments of demo-app
 * pods become Ready, a Service forwards to them, killed processes restart, scaling and rolling
 * updates follow the spec, a StatefulSet starts its pods in order with stable names in DNS.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import dns from 'node:dns';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { V1Deployment, V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { mysqldIsMariadb, which } from '../../../src/sandbox/runtime/host-tools.js';
import { NODE_NAME } from '../../../src/sandbox/runtime/workloads.js';
import { httpGet, startHarness, type Harness } from './harness.js';
import { eventually } from '../../support/eventually.js';

const ns = 'default';
const realMysql = Boolean(which('mysqld')) && !mysqldIsMariadb();
let h: Harness;

beforeAll(async () => { h = await startHarness(); });
afterAll(async () => { await h?.close(); });

function deployment(name: string, replicas: number, env: Record<string, string> = {}): V1Deployment {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [{
            name: 'web', image: 'ghcr.io/acme/shop:1.0', ports: [{ name: 'http', containerPort: 8080 }],
            env: [{ name: 'PORT', value: '8080' }, ...Object.entries(env).map(([k, v]) => ({ name: k, value: v }))],
            readinessProbe: { httpGet: { path: '/healthz', port: 'http' as never }, periodSeconds: 1 },
          }],
        },
      },
    },
  };
}

async function podsOf(app: string): Promise<V1Pod[]> {
  return (await h.core.listNamespacedPod({ namespace: ns, labelSelector: `app=${app}` })).items.filter((p) => !p.metadata?.deletionTimestamp);
}

const ready = (p: V1Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

describe('sandbox runtime', () => {
  it('runs a Deployment as Ready demo-app pods with their own addresses, behind a Service that round-robins', async () => {
    await h.apps.createNamespacedDeployment({ namespace: ns, body: deployment('web', 2) });
    await h.core.createNamespacedService({ namespace: ns, body: {
      metadata: { name: 'web', namespace: ns }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' as never }] },
    } });
    const pods = await eventually('2 Ready web pods', async () => { const p = await podsOf('web'); return p.length === 2 && p.every(ready) && p; });
    for (const p of pods) {
      expect(p.metadata?.name).toMatch(/^web-[a-z0-9]{10}-[a-z0-9]{5}$/);
      expect(p.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'Deployment', name: 'web', controller: true });
      expect(p.status?.podIP).toMatch(/^127\.10\./);
      expect(p.status?.phase).toBe('Running');
    }
    expect(new Set(pods.map((p) => p.status?.podIP)).size).toBe(2);
    const d = await eventually('Deployment status', async () => {
      const d = await h.apps.readNamespacedDeployment({ name: 'web', namespace: ns });
      return d.status?.readyReplicas === 2 && d.status?.observedGeneration === d.metadata?.generation && d;
    });
    expect(d.status).toMatchObject({ replicas: 2, updatedReplicas: 2, availableReplicas: 2 });

    const addr = await eventually('the Service address', () => { const a = h.runtime.serviceAddress(ns, 'web'); return a?.ports[80] ? a : undefined; });
    expect(addr.ip).toMatch(/^127\.20\./);
    const servedBy = new Set<string>();
    for (let i = 0; i < 4; i++) servedBy.add(JSON.parse((await httpGet(addr.ip, addr.ports[80])).body).pod);
    expect([...servedBy].sort()).toEqual(pods.map((p) => p.metadata!.name!).sort());

    const ep = await eventually('Endpoints with both pods', async () => {
      const e = await h.core.readNamespacedEndpoints({ name: 'web', namespace: ns });
      return e.subsets?.[0]?.addresses?.length === 2 && e;
    });
    expect(ep.subsets?.[0].ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    const [address] = await eventually('DNS answer for the Service', async () => {
      const r = new dns.promises.Resolver();
      r.setServers([h.dns.address]);
      return r.resolve4('web.default.svc.cluster.local');
    });
    expect(address).toBe(addr.ip);
  });

  it('restarts a killed container and reports its restart count, and the pod becomes Ready again', async () => {
    const [pod] = await podsOf('web');
    const name = pod.metadata!.name!;
    const before = h.runtime.pod(ns, name)!.pids().web;
    expect(h.runtime.signalPod(ns, name, 'SIGKILL')).toBe(1);
    const restarted = await eventually('restartCount 1 and Ready', async () => {
      const p = await h.core.readNamespacedPod({ name, namespace: ns });
      return p.status?.containerStatuses?.[0]?.restartCount === 1 && ready(p) && p;
    });
    expect(restarted.status?.containerStatuses?.[0]?.lastState?.terminated).toMatchObject({ reason: 'Error' });
    expect(h.runtime.pod(ns, name)!.pids().web).not.toBe(before);
    expect(readFileSync(`${h.stateDir}/logs/${ns}_${name}_web.log`, 'utf8')).toMatch(/listening on 127\.10\./);

    // A crash with a hold: the pod stays down (not Ready, no process) until the hold has passed.
    const crashedAt = Date.now();
    expect(h.runtime.crashPod(ns, name, 3000)).toBe(1);
    await eventually('the crashed pod not Ready', async () => !ready(await h.core.readNamespacedPod({ name, namespace: ns })));
    if (Date.now() - crashedAt < 2500) expect(h.runtime.pod(ns, name)!.pids().web).toBeUndefined();
    const back = await eventually('the crashed pod back and Ready', async () => {
      const p = await h.core.readNamespacedPod({ name, namespace: ns });
      return p.status?.containerStatuses?.[0]?.restartCount === 2 && ready(p) && p;
    });
    expect(new Date(back.status!.containerStatuses![0].state!.running!.startedAt!).getTime() - crashedAt).toBeGreaterThanOrEqual(3000);
  });

  it('scales up and down, and rolls out a template change one pod at a time', async () => {
    await h.apps.patchNamespacedDeployment({ name: 'web', namespace: ns, body: [{ op: 'replace', path: '/spec/replicas', value: 3 }] });
    await eventually('3 Ready pods', async () => { const p = await podsOf('web'); return p.length === 3 && p.every(ready); });
    const old = new Set((await podsOf('web')).map((p) => p.metadata!.name!));

    // A patch, not a read and a replace: the Deployment controller may write the status in between.
    const template = deployment('web', 3, { GREETING: 'v2' }).spec!.template;
    await h.apps.patchNamespacedDeployment({ name: 'web', namespace: ns, body: [{ op: 'replace', path: '/spec/template', value: template }] });
    let maxPods = 0;
    const rolled = await eventually('rollout to 3 new Ready pods', async () => {
      const p = await podsOf('web');
      maxPods = Math.max(maxPods, p.length);
      return p.length === 3 && p.every((x) => ready(x) && !old.has(x.metadata!.name!)) && p;
    }, 90_000);
    expect(rolled).toHaveLength(3);
    expect(maxPods).toBeLessThanOrEqual(4);

    await h.apps.patchNamespacedDeployment({ name: 'web', namespace: ns, body: [{ op: 'replace', path: '/spec/replicas', value: 1 }] });
    await eventually('1 pod left and its processes gone', async () => {
      const p = await podsOf('web');
      const all = (await h.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=web' })).items;
      return p.length === 1 && all.length === 1 && h.runtime.pods().filter((r) => r.name.startsWith('web-')).length === 1;
    });
  });

  it('runs a StatefulSet in order with stable names, pod DNS names and data dirs that survive the pod', async () => {
    const sts: V1StatefulSet = {
      apiVersion: 'apps/v1', kind: 'StatefulSet',
      metadata: { name: 'db', namespace: ns },
      spec: {
        replicas: 2, serviceName: 'db', selector: { matchLabels: { app: 'db' } },
        template: deployment('db', 1).spec!.template,
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      },
    };
    sts.spec!.template.spec!.containers[0].volumeMounts = [{ name: 'data', mountPath: '/var/lib/data' }];
    await h.core.createNamespacedService({ namespace: ns, body: {
      metadata: { name: 'db', namespace: ns }, spec: { clusterIP: 'None', selector: { app: 'db' }, ports: [{ name: 'http', port: 8080 }] },
    } });
    await h.apps.createNamespacedStatefulSet({ namespace: ns, body: sts });
    const pods = await eventually('db-0 and db-1 Ready', async () => { const p = await podsOf('db'); return p.length === 2 && p.every(ready) && p; });
    expect(pods.map((p) => p.metadata!.name).sort()).toEqual(['db-0', 'db-1']);
    const p0 = pods.find((p) => p.metadata!.name === 'db-0')!;
    const p1 = pods.find((p) => p.metadata!.name === 'db-1')!;
    expect(new Date(p0.metadata!.creationTimestamp!).getTime()).toBeLessThanOrEqual(new Date(p1.metadata!.creationTimestamp!).getTime());
    const claims = await h.core.listNamespacedPersistentVolumeClaim({ namespace: ns });
    expect(claims.items.map((c) => c.metadata!.name).sort()).toEqual(['data-db-0', 'data-db-1']);

    const r = new dns.promises.Resolver();
    r.setServers([h.dns.address]);
    expect(await eventually('db-0 DNS name', () => r.resolve4('db-0.db.default.svc.cluster.local'))).toEqual([p0.status!.podIP]);
    const srv = await eventually('SRV of the headless Service', async () => { const s = await r.resolveSrv('_http._tcp.db.default.svc.cluster.local'); return s.length === 2 && s; });
    expect(srv.map((s) => s.name).sort()).toEqual(['db-0.db.default.svc.cluster.local', 'db-1.db.default.svc.cluster.local']);

    const marker = `${h.stateDir}/volumes/${ns}/data-db-0/marker`;
    const { writeFileSync, existsSync } = await import('node:fs');
    writeFileSync(marker, 'kept');
    await h.core.deleteNamespacedPod({ name: 'db-0', namespace: ns });
    await eventually('db-0 re-created and Ready', async () => {
      const p = await h.core.readNamespacedPod({ name: 'db-0', namespace: ns });
      return p.metadata!.uid !== p0.metadata!.uid && ready(p);
    });
    expect(existsSync(marker)).toBe(true);
    const s = await eventually('StatefulSet status', async () => {
      const s = await h.apps.readNamespacedStatefulSet({ name: 'db', namespace: ns });
      return s.status?.readyReplicas === 2 && s;
    });
    expect(s.status).toMatchObject({ replicas: 2, updatedReplicas: 2, observedGeneration: 1 });

    // A template change rolls the pods from the highest ordinal down, one at a time.
    const before = Object.fromEntries((await podsOf('db')).map((p) => [p.metadata!.name!, p.metadata!.uid!]));
    await h.apps.patchNamespacedStatefulSet({ name: 'db', namespace: ns, body: [{ op: 'add', path: '/spec/template/spec/containers/0/env/-', value: { name: 'GREETING', value: 'v2' } }] });
    const rolled = await eventually('both pods replaced and Ready', async () => {
      const p = await podsOf('db');
      return p.length === 2 && p.every((x) => ready(x) && x.metadata!.uid !== before[x.metadata!.name!]) && p;
    }, 90_000);
    const created = (n: string) => new Date(rolled.find((p) => p.metadata!.name === n)!.metadata!.creationTimestamp!).getTime();
    expect(created('db-1')).toBeLessThanOrEqual(created('db-0'));
    const updated = await eventually('StatefulSet status after the rollout', async () => {
      const st = await h.apps.readNamespacedStatefulSet({ name: 'db', namespace: ns });
      return st.status?.updatedReplicas === 2 && st.status.readyReplicas === 2 && st.status.currentRevision === st.status.updateRevision && st;
    });
    expect(updated.status?.observedGeneration).toBe(2);
  });

  it('a deleted pod runs its preStop hook while it still serves, and is stopped only after it', async () => {
    // Bound to the node, so the deletion is graceful (the runtime finishes it). The hook reports to this server, asks the pod itself for an answer, then takes a second.
    const hits: { at: number; podAnswered: number }[] = [];
    const reporter = http.createServer((req, res) => {
      hits.push({ at: Date.now(), podAnswered: Number(new URL(req.url ?? '/', 'http://x').searchParams.get('status')) });
      res.end();
    });
    await new Promise<void>((resolve) => reporter.listen(0, '127.0.0.1', () => resolve()));
    const port = (reporter.address() as AddressInfo).port;
    const hook = `fetch('http://' + process.env.POD_IP + ':8080/').then((r) => fetch('http://127.0.0.1:${port}/?status=' + r.status))`
      + '.then(() => new Promise((r) => setTimeout(r, 1000)))';
    const template = deployment('hooked', 1).spec!.template;
    const container = template.spec!.containers[0];
    container.env!.push({ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } });
    container.lifecycle = { preStop: { exec: { command: [process.execPath, '-e', hook] } } };
    await h.core.createNamespacedPod({ namespace: ns, body: { metadata: { name: 'hooked', namespace: ns, labels: { app: 'hooked' } }, spec: { ...template.spec!, nodeName: NODE_NAME } } });
    await eventually('hooked Ready', async () => ready(await h.core.readNamespacedPod({ name: 'hooked', namespace: ns })));
    await h.core.deleteNamespacedPod({ name: 'hooked', namespace: ns });
    await eventually('hooked gone', async () => (await h.core.listNamespacedPod({ namespace: ns })).items.every((p) => p.metadata!.name !== 'hooked'), 30_000);
    const goneAt = Date.now();
    reporter.close();
    expect(hits).toHaveLength(1);
    expect(hits[0].podAnswered).toBe(200);
    expect(goneAt - hits[0].at).toBeGreaterThanOrEqual(1000);
  });

  // Where a real MySQL server is installed, engine mysql runs and there is nothing to refuse.
  (realMysql ? it.skip : it)('refuses engine mysql when no MySQL server is installed, on the pod status and in an Event', async () => {
    await h.core.createNamespacedPod({ namespace: ns, body: {
      metadata: { name: 'legacy-db', namespace: ns },
      spec: { nodeName: 'sandbox', containers: [{ name: 'mysql', image: 'mysql:8.4', command: ['sh', '/etc/mysql/webstack/start.sh'] }] },
    } });
    const message = 'engine mysql needs mysqld on PATH; use engine: mariadb in the sandbox';
    const waiting = await eventually('the pod to say why it does not start', async () => {
      const p = await h.core.readNamespacedPod({ name: 'legacy-db', namespace: ns });
      return p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'MysqldNotFound' && p.status.containerStatuses[0].state.waiting;
    });
    expect(waiting.message).toBe(message);
    const events = await eventually('a Warning Event', async () => {
      const list = await h.core.listNamespacedEvent({ namespace: ns });
      const e = list.items.filter((x) => x.involvedObject.name === 'legacy-db' && x.type === 'Warning');
      return e.length > 0 && e;
    });
    expect(events[0]).toMatchObject({ reason: 'MysqldNotFound', message });
    expect(h.runtime.pod(ns, 'legacy-db')?.pids()).toEqual({});
  });
});
