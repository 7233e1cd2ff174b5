/**
 * The operator installed as users install it, on the real control plane with the sandbox's node:
 * `helm install` (pods Ready under the chart's ServiceAccount, the real RBAC authorizer checking
 * every request: one 403 fails the test), `helm upgrade` rolling the pods, `helm uninstall`
 * keeping the CRD and the stacks, then `kubectl apply -f deploy/manifests/`.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { installOperator, OPERATOR_NAMESPACE, OPERATOR_RELEASE } from '../src/sandbox/kube-plane.js';
import { eventually } from '../test/support/eventually.js';
import { startTestCluster, type TestCluster } from './support/cluster.js';

const OPERATOR_USER = `system:serviceaccount:${OPERATOR_NAMESPACE}:${OPERATOR_RELEASE}`;
let c: TestCluster;
/** While `helm uninstall` removes the release, its terminating pods may outlive their Role: those 403s are expected. */
const removal = { from: '', to: '' };

const STACK = JSON.stringify({
  apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStack', metadata: { name: 'shop', namespace: 'default' },
  spec: { apps: [{ name: 'web', image: 'ghcr.io/acme/shop:1.4', replicas: 1 }], database: { engine: 'mariadb', replicas: 2 }, loadBalancer: { replicas: 1 } },
});

async function readyOperatorPods(): Promise<string[]> {
  const out = (await c.kubectl(['get', 'pods', '-n', OPERATOR_NAMESPACE, '-l', 'app.kubernetes.io/name=webstack-operator', '-o',
    'jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}'])).stdout;
  return out.split('\n').filter((l) => l.endsWith('=True')).map((l) => l.split('=')[0]).sort();
}

function forbidden(): string[] {
  const duringRemoval = (at: string) => removal.from !== '' && at >= removal.from && (removal.to === '' || at <= removal.to);
  return c.audit(OPERATOR_USER).filter((e) => e.responseStatus?.code === 403 && !duringRemoval(e.requestReceivedTimestamp))
    .map((e) => `${e.requestReceivedTimestamp} ${e.verb} ${e.objectRef?.resource ?? ''}${e.objectRef?.subresource ? `/${e.objectRef.subresource}` : ''} ${e.objectRef?.namespace ?? ''}/${e.objectRef?.name ?? ''}`);
}

beforeAll(async () => {
  c = await startTestCluster();
}, 180_000);

afterAll(async () => {
  await c?.close();
}, 60_000);

describe('the operator installed by its Helm chart on the real control plane', () => {
  it('helm install: two operator pods Ready, one holds the lease, and it reconciles a WebStack', async () => {
    await installOperator(c.kubeconfig, ['resyncPeriod=30s']);
    expect(await readyOperatorPods()).toHaveLength(2);
    const holder = await eventually('a leader', async () => (await c.kubectl(['get', 'lease', '-n', OPERATOR_NAMESPACE, 'webstack-operator-leader', '-o', 'jsonpath={.spec.holderIdentity}'])).stdout || undefined, 60_000);
    expect(await readyOperatorPods()).toContain(holder);
    expect(await c.kubectl(['apply', '-f', '-'], STACK)).toMatchObject({ code: 0, stderr: '' });
    await eventually('the WebStack reconciled for its generation', async () => {
      const out = (await c.kubectl(['get', 'ws', 'shop', '-o', 'jsonpath={.metadata.generation}/{.status.observedGeneration}'])).stdout;
      const [gen, observed] = out.split('/');
      return gen !== '' && gen === observed;
    }, 120_000);
    expect((await c.kubectl(['get', 'deploy', 'shop-web', 'shop-haproxy', '-o', 'name'])).code).toBe(0);
    expect(c.audit(OPERATOR_USER).length).toBeGreaterThan(10);
    expect(forbidden()).toEqual([]);
  }, 400_000);

  it('helm upgrade rolls the operator pods onto the new values', async () => {
    const before = await readyOperatorPods();
    await installOperator(c.kubeconfig, ['resyncPeriod=30s', 'logFormat=text']);
    const args = (await c.kubectl(['get', 'deploy', '-n', OPERATOR_NAMESPACE, OPERATOR_RELEASE, '-o', 'jsonpath={.spec.template.spec.containers[0].args}'])).stdout;
    expect(args).toContain('--log-format=text');
    const after = await eventually('two new operator pods Ready', async () => {
      const pods = await readyOperatorPods();
      return pods.length === 2 && pods.every((p) => !before.includes(p)) && pods;
    }, 180_000);
    expect(after).toHaveLength(2);
    expect(forbidden()).toEqual([]);
  }, 400_000);

  it('helm uninstall removes the operator and keeps the CRD and the WebStacks', async () => {
    removal.from = new Date().toISOString();
    expect((await c.helm(['uninstall', OPERATOR_RELEASE, '--namespace', OPERATOR_NAMESPACE, '--wait', '--timeout', '120s'])).code).toBe(0);
    await eventually('the operator pods gone', async () => (await c.kubectl(['get', 'pods', '-n', OPERATOR_NAMESPACE, '-o', 'name'])).stdout.trim() === '', 120_000);
    removal.to = new Date().toISOString();
    expect((await c.kubectl(['get', 'crd', 'webstacks.webstack.dev'])).code).toBe(0);
    expect((await c.kubectl(['get', 'ws', 'shop', '-o', 'name'])).stdout.trim()).toBe('webstack.webstack.dev/shop');
    expect((await c.kubectl(['get', 'clusterrole', OPERATOR_RELEASE])).code).not.toBe(0);
  }, 200_000);

  it('kubectl apply -f deploy/manifests/ installs a working operator too', async () => {
    const applied = await c.kubectl(['apply', '-f', 'deploy/manifests/']);
    expect(applied.code).toBe(0);
    // The namespace and the CRDs stayed from the Helm release: kubectl takes them over, and says so.
    const warnings = applied.stderr.split('\n').filter(Boolean);
    expect(warnings.filter((w) => !/^Warning: resource (namespaces\/webstack-system|customresourcedefinitions\/webstack(s|backups)\.webstack\.dev) is missing the kubectl\.kubernetes\.io\/last-applied-configuration annotation/.test(w))).toEqual([]);
    const status = await c.kubectl(['rollout', 'status', 'deploy/webstack-operator', '-n', OPERATOR_NAMESPACE, '--timeout=240s']);
    expect(status).toMatchObject({ code: 0 });
    expect(await readyOperatorPods()).toHaveLength(2);
    expect(forbidden()).toEqual([]);
  }, 300_000);

});
