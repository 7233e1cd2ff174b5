/**
 * The operator's side of run-time weights, against real haproxy playing a stack's HAProxy pod (on its
 * own loopback address and the admin port it has in a cluster): a weight edit reaches the running
 * process with the stack's token, the pod template is not touched, and nothing is sent while the
 * stack's HAProxy is held back by an unusable TLS Secret.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ANNOTATION_CONFIG_CHECKSUM, componentSelector, names } from '../../src/api/labels.js';
import type { WebStack } from '../../src/api/types.js';
import type { Operator } from '../../src/controller/operator.js';
import type { KubeObj } from '../../src/kube/client.js';
import { resourceFor } from '../../src/controller/resources.js';
import { HAPROXY_ADMIN_PORT, HAPROXY_ADMIN_TOKEN_KEY } from '../../src/render/haproxy-weights.js';
import type { WorkloadSimulator } from '../support/workload-simulator.js';
import { startStack, type StackUnderTest } from '../support/haproxy-stack.js';
import { condition, DEPLOYMENT, getWs, SECRET, startEnv, startOperator, startSimulator, webStack, type Env } from './harness.js';
import { eventually } from '../support/eventually.js';

const NS = 'shop';
const POD = resourceFor('v1', 'Pod');
const POD_ADDRESS = '127.0.79.1';
let env: Env;
let operator: Operator;
let sim: WorkloadSimulator;
let haproxy: StackUnderTest | undefined;

const spec = (light: number): WebStack['spec'] => ({
  loadBalancer: { healthCheck: { intervalSeconds: 1, fall: 2, rise: 1 } },
  apps: [{ name: 'heavy', image: 'x', replicas: 1, weight: 3 }, { name: 'light', image: 'x', replicas: 1, weight: light }],
  networkPolicy: { enabled: false },
});

beforeAll(async () => {
  env = await startEnv([NS]);
  ({ operator } = startOperator(env, { timings: { resyncPeriodMs: 60_000, terminatingRecheckMs: 300 } }));
  sim = startSimulator(env);
  await eventually('operator caches synced', () => operator.caches.hasSynced());
});

afterAll(async () => {
  await haproxy?.stop();
  await sim?.stop();
  await operator?.stop();
  await env?.close();
});

async function readyGeneration(name: string, generation: number): Promise<WebStack> {
  return eventually(`${name} Ready at generation ${generation}`, async () => {
    const ws = await getWs(env, NS, name);
    return ws && (ws.status?.observedGeneration ?? 0) >= generation && condition(ws, 'Ready')?.status === 'True' ? ws : undefined;
  });
}

async function templateChecksum(): Promise<string> {
  const d = await env.client.get<KubeObj & { spec: { template: { metadata: { annotations: Record<string, string> } } } }>(DEPLOYMENT, NS, names.haproxy('lb'));
  return d!.spec.template.metadata.annotations[ANNOTATION_CONFIG_CHECKSUM];
}

/** Weights of the tier's servers that are UP (a slot without a pod shows no effective weight). */
const weightsOf = async (tier: string) => (await haproxy!.servers()).filter((s) => s.name.startsWith(`${tier}-`) && s.status.startsWith('UP')).map((s) => s.weight);

describe('tier weights set in a running HAProxy pod', () => {
  it('a weight edit reaches the pod with the stack\'s token, and the pod template stays as it was', async () => {
    await env.client.create(resourceFor('webstack.dev/v1alpha1', 'WebStack'), NS, webStack('lb', spec(1)));
    await readyGeneration('lb', 1);
    const secret = await env.client.get<{ data: Record<string, string> }>(SECRET, NS, names.haproxyAdminSecret('lb'));
    const adminToken = Buffer.from(secret!.data[HAPROXY_ADMIN_TOKEN_KEY], 'base64').toString('utf8');
    expect(adminToken).toMatch(/^[0-9a-f]{64}$/);
    haproxy = await startStack(webStack('lb', spec(1)), { heavy: ['127.0.79.11'], light: ['127.0.79.12'] },
      { pod: { address: POD_ADDRESS, adminPort: HAPROXY_ADMIN_PORT, adminToken } });
    await haproxy.waitUp(2);
    await env.client.create(POD, NS, {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'lb-haproxy-0', labels: componentSelector('lb', 'loadbalancer') },
      spec: { containers: [{ name: 'haproxy', image: 'haproxy:3.2' }] },
    });
    await env.client.mergePatch(POD, NS, 'lb-haproxy-0', { status: { phase: 'Running', podIP: POD_ADDRESS, conditions: [{ type: 'Ready', status: 'True' }] } }, 'status');
    const checksum = await templateChecksum();
    const pid = haproxy.haproxy.process.pid;

    // Read before the edit: the operator may set the new weight before a read after it returns.
    expect(await weightsOf('light')).toEqual([1]);
    await env.client.mergePatch(resourceFor('webstack.dev/v1alpha1', 'WebStack'), NS, 'lb', { spec: spec(0) });
    await eventually('light weight 0 in the running haproxy', async () => (await weightsOf('light')).join() === '0', 10_000);
    expect(await weightsOf('heavy')).toEqual([3]);
    await readyGeneration('lb', 2);
    expect(await templateChecksum()).toBe(checksum);
    expect(haproxy.haproxy.process.pid).toBe(pid);
  });

  it('sends nothing while the stack\'s HAProxy is held back (TLS Secret missing)', async () => {
    await env.client.mergePatch(resourceFor('webstack.dev/v1alpha1', 'WebStack'), NS, 'lb', { spec: { ...spec(2), loadBalancer: { tls: { secretName: 'absent' } } } });
    // Weights are sent before the status is written: a reconcile of generation 3 that sent them has done so by now.
    await eventually('Ready=False InvalidTLSSecret at generation 3', async () => {
      const ready = condition(await getWs(env, NS, 'lb'), 'Ready');
      return ready?.reason === 'InvalidTLSSecret' && ready.observedGeneration === 3;
    });
    expect(await weightsOf('light')).toEqual([0]);
  });
});
