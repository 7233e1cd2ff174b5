/**
 * The chart and the operator agree: install the chart with real helm into the in-memory API
 * server, then run `webstack-operator run` with exactly the Deployment's args and downward-API
 * environment. Its probes and metrics answer where the chart points, it holds the Lease the
 * leader-election Role is limited to, and it reconciles an example WebStack, whose status the
 * Argo CD health check reads. (Ready needs pods that run: the sandbox integration tests' job.)
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startApiServer, type RunningApiServer } from '../../src/sandbox/apiserver/index.js';
import { ARGOCD_HEALTH_LUA } from '../../scripts/generate-manifests.js';
import { helmPath, kubectlPath } from '../../src/sandbox/cli-tools.js';
import { freePort } from '../../src/sandbox/control-plane/index.js';
import { CHART, parseObjects } from './chart.js';
import { runHealthScript } from './lua.js';
import { allowedBy, requestAttributes, type PolicyRule } from './rbac.js';
import { eventually } from '../support/eventually.js';

const NS = 'webstack-system';
const POD_NAME = 'webstack-operator-7f9c-abcde';

type Container = { args: string[]; env: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[]; livenessProbe: { httpGet: { path: string; port: string } }; readinessProbe: { httpGet: { path: string; port: string } }; ports: { name: string; containerPort: number }[] };

let server: RunningApiServer;
let dir = '';
let kubeconfig = '';
let operator: ChildProcess | undefined;
let operatorExit: Promise<void> = Promise.resolve();
let operatorLog = '';
let container: Container;
let proxy: Server;
/** Every request the operator made, with the API server's answer. */
const operatorRequests: { method: string; url: string; status: number }[] = [];

/** Passes the operator's requests on to the API server and records them, so RBAC can be checked against them. */
async function startRecordingProxy(target: URL): Promise<string> {
  proxy = createServer((req, res) => {
    const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      operatorRequests.push({ method: req.method ?? '', url: req.url ?? '', status: up.statusCode ?? 0 });
      res.writeHead(up.statusCode ?? 502, up.headers);
      // A watch answers its headers at once and its events later: pass the headers on at once too.
      res.flushHeaders();
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
}

/** Asynchronous on purpose: the API server answers from this very process. */
function run(binary: string, args: string[], input = ''): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env, HELM_CACHE_HOME: path.join(dir, 'cache'), HELM_CONFIG_HOME: path.join(dir, 'config'), HELM_DATA_HOME: path.join(dir, 'data') };
    const child = execFile(binary, [...args, '--kubeconfig', kubeconfig], { encoding: 'utf8', timeout: 90000, env }, (err, stdout, stderr) => {
      resolve({ status: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
    child.stdin?.end(input);
  });
}
const kubectlJson = async <T>(...args: string[]): Promise<T> => JSON.parse((await run(kubectlPath(), [...args, '-o', 'json'])).stdout) as T;

/** untilOperator(), with the operator's log on failure. */
async function untilOperator<T>(what: string, attempt: () => Promise<T | undefined>, timeoutMs = 60000): Promise<T> {
  return eventually(what, attempt, timeoutMs, 250).catch((err: Error) => {
    throw new Error(`${err.message}; operator log:\n${operatorLog.slice(-3000)}`);
  });
}

const port = (name: string) => container.ports.find((p) => p.name === name)!.containerPort;
const httpStatus = async (portNumber: number, urlPath: string) => (await fetch(`http://127.0.0.1:${portNumber}${urlPath}`)).status;

beforeAll(async () => {
  server = await startApiServer();
  dir = mkdtempSync(path.join(os.tmpdir(), 'webstack-chart-operator-'));
  kubeconfig = path.join(dir, 'kubeconfig');
  server.writeKubeconfig(kubeconfig);
  // Free ports instead of 8080/8081: the operator runs on this machine, not in a pod.
  const [metricsPort, healthPort] = [await freePort(), await freePort()];
  const installed = await run(helmPath(), ['install', 'webstack-operator', CHART, '--namespace', NS, '--create-namespace',
    '--set', `metrics.port=${metricsPort}`, '--set', `health.port=${healthPort}`]);
  if (installed.status !== 0) throw new Error(`helm install failed: ${installed.stderr}`);
  const deployment = await kubectlJson<{ spec: { template: { spec: { containers: Container[] } } } }>('get', '-n', NS, 'deployment/webstack-operator');
  container = deployment.spec.template.spec.containers[0];
  const downward: Record<string, string> = { 'metadata.name': POD_NAME, 'metadata.namespace': NS };
  const env = Object.fromEntries(container.env.map((e) => [e.name, e.value ?? downward[e.valueFrom!.fieldRef!.fieldPath]]));
  const operatorKubeconfig = path.join(dir, 'operator-kubeconfig');
  writeFileSync(operatorKubeconfig, server.kubeconfig().replace(server.url, await startRecordingProxy(new URL(server.url))));
  const child = spawn(process.execPath, ['--import', '@swc-node/register/esm-register', 'src/cli.ts', 'run', ...container.args, '--kubeconfig', operatorKubeconfig],
    { env: { PATH: process.env.PATH, HOME: dir, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  operator = child;
  child.stdout?.on('data', (d: Buffer) => { operatorLog += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { operatorLog += d.toString(); });
  operatorExit = new Promise((resolve) => child.once('exit', () => resolve()));
}, 120000);

afterAll(async () => {
  if (operator && operator.exitCode === null && operator.signalCode === null) {
    operator.kill('SIGTERM');
    await operatorExit;
  }
  proxy?.closeAllConnections();
  await new Promise((resolve) => (proxy ? proxy.close(resolve) : resolve(undefined)));
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
}, 60000);

describe('webstack-operator run, started exactly as the chart starts it', () => {
  it('answers the chart\'s liveness and readiness probes and serves metrics on the metrics port', async () => {
    const health = port(container.livenessProbe.httpGet.port);
    await untilOperator('liveness', async () => ((await httpStatus(health, container.livenessProbe.httpGet.path)) === 200 ? true : undefined));
    await untilOperator('readiness', async () => ((await httpStatus(port(container.readinessProbe.httpGet.port), container.readinessProbe.httpGet.path)) === 200 ? true : undefined));
    const metrics = await fetch(`http://127.0.0.1:${port('metrics')}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^# HELP /m);
  });

  it('holds the Lease that the leader-election Role allows, in the release namespace', async () => {
    const role = await kubectlJson<{ rules: { resources: string[]; resourceNames?: string[]; verbs: string[] }[] }>('get', '-n', NS, 'role/webstack-operator-leader-election');
    const [leaseName] = role.rules.find((r) => r.resourceNames)!.resourceNames!;
    const lease = await untilOperator('the Lease', async () => {
      const l = await kubectlJson<{ spec: { holderIdentity?: string } }>('get', '-n', NS, `lease/${leaseName}`);
      return l.spec.holderIdentity ? l : undefined;
    });
    expect(lease.spec.holderIdentity).toBe(POD_NAME);
  });

  it('reconciles an example WebStack; the Argo CD health check reads its status', async () => {
    const applied = await run(kubectlPath(), ['apply', '-n', 'default', '-f', 'examples/minimal.yaml']);
    expect({ status: applied.status, stderr: applied.stderr }).toEqual({ status: 0, stderr: '' });
    const [{ metadata: { name } }] = parseObjects(readFileSync('examples/minimal.yaml', 'utf8'));
    type Observed = { metadata: { generation: number }; status?: { observedGeneration?: number; conditions?: { type: string; status: string; message: string }[] } };
    const ws = await untilOperator('the WebStack observed', async () => {
      const o = await kubectlJson<Observed>('get', '-n', 'default', `webstack/${name}`);
      return o.status?.observedGeneration === o.metadata.generation && o.status.conditions?.some((c) => c.type === 'Ready') ? o : undefined;
    });
    const ready = ws.status!.conditions!.find((c) => c.type === 'Ready')!;
    // No pods run here, so the stack can't be Ready yet: Argo CD shows it Progressing with the operator's words.
    expect(ready.status).not.toBe('True');
    expect(runHealthScript(ARGOCD_HEALTH_LUA, ws)).toEqual({ status: 'Progressing', message: ready.message });
  });

  it('made only requests that the chart\'s RBAC allows (the in-memory API server does not enforce RBAC)', async () => {
    const clusterRole = await kubectlJson<{ rules: PolicyRule[] }>('get', 'clusterrole/webstack-operator');
    const leaseRole = await kubectlJson<{ rules: PolicyRule[] }>('get', '-n', NS, 'role/webstack-operator-leader-election');
    // A server-side apply that creates the object (201) needs create as well as patch.
    const resourceRequests = operatorRequests.flatMap(({ method, url, status }) => {
      const attrs = requestAttributes(method, url);
      if (!attrs) return [];
      const request = `${method} ${url.split('?')[0]}`;
      return method === 'PATCH' && status === 201 ? [{ request, attrs }, { request: `${request} (create)`, attrs: { ...attrs, verb: 'create' } }] : [{ request, attrs }];
    });
    expect(resourceRequests.length).toBeGreaterThan(10);
    const denied = resourceRequests.filter(({ attrs }) => !allowedBy(clusterRole.rules, attrs) && !(attrs.namespace === NS && allowedBy(leaseRole.rules, attrs)));
    expect(denied.map((d) => d.request)).toEqual([]);
  });
});
