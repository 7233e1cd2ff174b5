/** The operator against the in-memory API server over HTTP: shared setup for the integration tests. */
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { startApiServer, type RunningApiServer } from '../../src/sandbox/apiserver/index.js';
import { KubeClient, type KubeObj } from '../../src/kube/client.js';
import { Operator, type OperatorOptions } from '../../src/controller/operator.js';
import { resourceFor, WEBSTACK } from '../../src/controller/resources.js';
import { createLogger } from '../../src/log.js';
import type { WebStack, WebStackSpec } from '../../src/api/types.js';
import { WorkloadSimulator, type SimulatorOptions } from '../support/workload-simulator.js';
import { eventually } from '../support/eventually.js';

export interface Env {
  server: RunningApiServer;
  kubeconfig: string;
  kc: KubeConfig;
  client: KubeClient;
  close(): Promise<void>;
}

const CRD = { kind: 'CustomResourceDefinition', apiVersion: 'apiextensions.k8s.io/v1', plural: 'customresourcedefinitions', namespaced: false };
const NAMESPACE = { kind: 'Namespace', apiVersion: 'v1', plural: 'namespaces', namespaced: false };


export async function startEnv(namespaces: string[] = ['shop']): Promise<Env> {
  const server = await startApiServer({ port: 0 });
  const kubeconfig = server.kubeconfig();
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig);
  const client = new KubeClient(kc);
  await client.create(CRD, undefined, parse(readFileSync('crds/webstack.yaml', 'utf8')) as object);
  await eventually('the WebStack CRD to be served', async () => (await client.list(WEBSTACK, 'default')) && true);
  for (const name of namespaces) await client.create(NAMESPACE, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return { server, kubeconfig, kc, client, close: async () => { client.close(); await server.close(); } };
}

/** Log lines the operator wrote, kept for assertions (e.g. that no secret leaks). */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.lines.push(chunk.toString('utf8'));
    cb();
  }
}

export function startOperator(env: Env, over: Partial<OperatorOptions> = {}): { operator: Operator; logs: LogCapture; ready: Promise<void> } {
  const logs = new LogCapture();
  const kc = new KubeConfig();
  kc.loadFromString(env.kubeconfig);
  const operator = new Operator({
    kubeConfig: kc, namespaces: [], identity: 'test-operator', log: createLogger({ format: 'json', stream: logs, level: 'debug' }),
    defaultMetrics: false, ...over,
  });
  return { operator, logs, ready: operator.start() };
}

export function startSimulator(env: Env, opts: SimulatorOptions = {}): WorkloadSimulator {
  const sim = new WorkloadSimulator(env.kubeconfig, opts);
  sim.start();
  return sim;
}

export function webStack(name: string, spec: WebStackSpec, namespace = 'shop'): WebStack {
  return { apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStack', metadata: { name, namespace }, spec };
}

export const DEPLOYMENT = resourceFor('apps/v1', 'Deployment');
export const STATEFULSET = resourceFor('apps/v1', 'StatefulSet');
export const SECRET = resourceFor('v1', 'Secret');
export const SERVICE = resourceFor('v1', 'Service');
export const CONFIGMAP = resourceFor('v1', 'ConfigMap');
export const EVENTS = resourceFor('v1', 'Event');

export async function getWs(env: Env, ns: string, name: string): Promise<WebStack | undefined> {
  return env.client.get<WebStack>(WEBSTACK, ns, name);
}

/** A spec edit, retried when the operator wrote the status between the read and the write (409); the stack as written. */
export async function editStack(env: Env, ns: string, name: string, edit: (ws: WebStack) => void): Promise<WebStack> {
  return eventually(`edit of ${name}`, async () => {
    const ws = (await getWs(env, ns, name))!;
    edit(ws);
    try {
      return await env.client.update<WebStack>(WEBSTACK, ns, name, ws);
    } catch (err) {
      if ((err as { code?: number }).code === 409) return undefined;
      throw err;
    }
  });
}

export function condition(ws: WebStack | undefined, type: string) {
  return ws?.status?.conditions?.find((c) => c.type === type);
}

/** Every object labelled for the stack, as "Kind/name" sorted. */
export async function stackObjects(env: Env, ns: string, stack: string): Promise<KubeObj[]> {
  const kinds = [['v1', 'Secret'], ['v1', 'ConfigMap'], ['v1', 'Service'], ['apps/v1', 'Deployment'], ['apps/v1', 'StatefulSet'],
    ['policy/v1', 'PodDisruptionBudget'], ['networking.k8s.io/v1', 'NetworkPolicy']] as const;
  const out: KubeObj[] = [];
  for (const [v, k] of kinds) {
    const { items } = await env.client.list<KubeObj>(resourceFor(v, k), ns, `webstack.dev/stack=${stack}`);
    out.push(...items.map((o) => ({ ...o, apiVersion: v, kind: k })));
  }
  return out;
}

export function describeObjects(objs: KubeObj[]): string[] {
  return objs.map((o) => `${o.kind}/${o.metadata.name}`).sort();
}
