/**
 * The objects the operator renders for a WebStack, applied straight to the API server (no operator):
 * the runtime runs them as real mariadbd, haproxy and demo-app processes. Database pods initialize
 * through the stack's own start script and become Ready; haproxy finds the app pods through the
 * sandbox DNS (SRV) and round-robins requests over them.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { KubernetesObjectApi, type KubernetesObject, type V1Pod } from '@kubernetes/client-node';
import { renderStack } from '../../../src/render/index.js';
import { newDatabaseCredentials } from '../../../src/render/credentials.js';
import { newAdminToken } from '../../../src/render/haproxy-weights.js';
import { databaseCertificates } from '../../../src/pki/database-certificates.js';
import { LABEL_ROLE, ROLE_PRIMARY, names } from '../../../src/api/labels.js';
import type { WebStack } from '../../../src/api/types.js';
import { kubeConfigFrom } from '../../../src/sandbox/runtime/cluster.js';
import { httpGet, startHarness, type Harness } from './harness.js';
import { eventually } from '../../support/eventually.js';

let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => { await h?.close(); });

const ws: WebStack = {
  apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStack',
  metadata: { name: 'shop', namespace: 'default' },
  spec: {
    loadBalancer: { replicas: 2, healthCheck: { intervalSeconds: 1, rise: 1, fall: 2 } },
    apps: [{ name: 'web', image: 'ghcr.io/acme/shop:1.4', replicas: 3 }],
    database: { engine: 'mariadb', replicas: 2 },
  },
};

const ready = (p: V1Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

describe('a rendered stack in the runtime', () => {
  it('runs database, app and haproxy pods to Ready, and haproxy balances over every app pod', async () => {
    const client = KubernetesObjectApi.makeApiClient(kubeConfigFrom(h.api.kubeconfig()));
    for (const obj of renderStack(ws, {
      credentials: newDatabaseCredentials((n) => randomBytes(n)),
      haproxyAdminToken: newAdminToken((n) => randomBytes(n)),
      certificates: (await databaseCertificates({}, { stack: 'shop', namespace: 'default', clusterDomain: 'cluster.local' }, new Date())).certificates,
    })) {
      await client.create(obj as KubernetesObject);
    }
    const pods = await eventually('every pod Ready', async () => {
      const list = (await h.core.listNamespacedPod({ namespace: 'default' })).items;
      return list.length === 7 && list.every(ready) && list;
    }, 120_000);
    expect(pods.filter((p) => p.metadata!.name!.startsWith('shop-mysql-')).map((p) => p.metadata!.name).sort()).toEqual(['shop-mysql-0', 'shop-mysql-1']);
    const appPods = pods.filter((p) => p.metadata!.name!.startsWith('shop-web-')).map((p) => p.metadata!.name!).sort();
    expect(appPods).toHaveLength(3);

    const lb = await eventually('the haproxy Service address', () => { const a = h.runtime.serviceAddress('default', names.haproxy('shop')); return a && Object.keys(a.ports).length > 0 ? a : undefined; });
    const port = Object.values(lb.ports)[0];
    // haproxy marks servers up after its health checks pass: poll until every pod answers in one round.
    const round = await eventually('a round robin over all app pods', async () => {
      const served: string[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await httpGet(lb.ip, port, '/');
        if (r.status !== 200) return undefined;
        served.push(JSON.parse(r.body).pod);
      }
      return new Set(served).size === 3 && served;
    }, 60_000);
    expect([...round].sort()).toEqual(appPods);

    // Playing the operator's part: the primary role label makes shop-mysql-0 the primary Service's
    // endpoint. The app finds the Service by its short name through the sandbox DNS and reaches
    // mariadbd; the app user is the operator's to create, so the server refuses it by name.
    await h.core.patchNamespacedPod({ name: 'shop-mysql-0', namespace: 'default', body: [{ op: 'add', path: `/metadata/labels/${LABEL_ROLE.replace('/', '~1')}`, value: ROLE_PRIMARY }] });
    const write = await eventually('an answer from the database through the primary Service', async () => {
      const res = await fetch(`http://${lb.ip}:${port}/write`, { method: 'POST', signal: AbortSignal.timeout(10_000) });
      const body = await res.text();
      return /ER_ACCESS_DENIED/.test(body) && body;
    }, 60_000);
    expect(write).toContain(names.primaryService('shop'));
  }, 240_000);
});
