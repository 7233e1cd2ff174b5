/**
 * At rest the operator writes nothing: a Ready stack whose spec has quantities in forms the real
 * API server normalises (`cpu: "0.1"` is stored as `100m`, `memory: 1024Mi` as `1Gi`), watched
 * over two resync periods through the API server's audit log. Lease renewals are the only writes
 * a leader makes at rest, and are not the operator's reconcile.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { installOperator, OPERATOR_NAMESPACE, OPERATOR_RELEASE } from '../src/sandbox/kube-plane.js';
import { startTestCluster, type AuditEntry, type TestCluster } from './support/cluster.js';

const RESYNC_SECONDS = 15;
const OPERATOR_USER = `system:serviceaccount:${OPERATOR_NAMESPACE}:${OPERATOR_RELEASE}`;
const WRITES = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);
let c: TestCluster;

// Small enough that four pods and the operator fit the node's two cores.
const quantities = { requests: { cpu: '0.1', memory: '1024Mi' }, limits: { cpu: '0.25', memory: '2048Mi' } };
const STACK = JSON.stringify({
  apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStack', metadata: { name: 'shop', namespace: 'default' },
  spec: {
    loadBalancer: { replicas: 1, resources: quantities },
    apps: [{ name: 'web', image: 'ghcr.io/acme/shop:1.4', replicas: 1, resources: quantities }],
    database: { engine: 'mariadb', replicas: 2, resources: quantities, storage: { size: '1024Mi' } },
  },
});

const reconcileWrites = (entries: AuditEntry[]) => entries.filter((e) => WRITES.has(e.verb) && e.objectRef?.resource !== 'leases');
const describeWrite = (e: AuditEntry) => `${e.verb} ${e.objectRef?.resource}${e.objectRef?.subresource ? `/${e.objectRef.subresource}` : ''} ${e.objectRef?.name ?? ''}`;

beforeAll(async () => {
  c = await startTestCluster();
  await installOperator(c.kubeconfig, [`resyncPeriod=${RESYNC_SECONDS}s`]);
}, 400_000);

afterAll(async () => {
  await c?.close();
}, 120_000);

describe('the operator at rest on the real control plane', () => {
  it('a Ready stack with quantities the server normalises gets no write over two resync periods', async () => {
    expect(await c.kubectl(['apply', '-f', '-'], STACK)).toMatchObject({ code: 0 });
    expect(await c.kubectl(['wait', '--for=condition=Ready', 'webstack/shop', '--timeout=300s'])).toMatchObject({ code: 0 });
    const stored = (await c.kubectl(['get', 'deploy', 'shop-web', '-o', 'jsonpath={.spec.template.spec.containers[0].resources.requests}'])).stdout;
    expect(JSON.parse(stored)).toEqual({ cpu: '100m', memory: '1Gi' });
    // Settled: a resync period with the stack Ready, so status and replication bookkeeping are done.
    await new Promise((r) => setTimeout(r, RESYNC_SECONDS * 1000));
    const before = reconcileWrites(c.audit(OPERATOR_USER)).length;
    await new Promise((r) => setTimeout(r, (2 * RESYNC_SECONDS + 2) * 1000));
    const during = reconcileWrites(c.audit(OPERATOR_USER)).slice(before).map(describeWrite);
    expect(during).toEqual([]);
    expect(reconcileWrites(c.audit(OPERATOR_USER)).length).toBeGreaterThan(10);
  }, 600_000);
});
