/**
 * The local runtime as a Node of the real control plane: it registers a Ready Node, the real
 * scheduler and controllers put pods on it, it runs them, provisions their volumes, issues their
 * service-account tokens, serves their logs to `kubectl logs`, and leaves no process behind.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { kubectlPath } from '../src/sandbox/cli-tools.js';
import { startControlPlane, type ControlPlane } from '../src/sandbox/control-plane/index.js';
import { startRuntime, type Runtime } from '../src/sandbox/runtime/index.js';
import { createLogger } from '../src/log.js';
import { eventually } from '../test/support/eventually.js';

const NODE = 'sandbox';
const probeScript = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/in-cluster-probe.mjs');
let dir: string;
let stateDir: string;
let kubeconfig: string;
let cp: ControlPlane;
let runtime: Runtime | undefined;
const logs: string[] = [];

function kubectl(args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(kubectlPath(), ['--kubeconfig', kubeconfig, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`kubectl ${args.join(' ')}: ${err.trim()}`))));
    child.stdin.end(input ?? '');
  });
}

/** kubectl's JSON, read loosely: the assertions say what each object must hold. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;
const getJson = async (...args: string[]): Promise<Loose> => JSON.parse(await kubectl(['get', ...args, '-o', 'json']));
const isTrue = (obj: Loose, type: string) => (obj.status?.conditions ?? []).some((c: Loose) => c.type === type && c.status === 'True');

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'runtime-node-'));
  cp = await startControlPlane({ dir: path.join(dir, 'cp') });
  kubeconfig = path.join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, cp.kubeconfig(), { mode: 0o600 });
  stateDir = path.join(dir, 'state');
  const stream = new Writable({ write(chunk, _enc, cb) { logs.push(String(chunk)); cb(); } });
  runtime = await startRuntime({
    kubeconfig: cp.kubeconfig(), stateDir, log: createLogger({ format: 'json', level: 'debug', stream }), resyncMs: 500,
    node: { name: NODE, apiServer: { host: '127.0.0.1', port: cp.port }, kubeletTls: cp.kubeletTls },
    operatorCommand: { command: process.execPath, args: [probeScript] },
  });
});

afterAll(async () => {
  await runtime?.close(2000);
  await cp?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** `kubectl logs -f`: the first line it streams, then the stream is dropped (it would follow forever). */
function firstLineFollowing(pod: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(kubectlPath(), ['--kubeconfig', kubeconfig, 'logs', '-f', '--tail=1', pod], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('\n')) { child.kill(); resolve(out.split('\n')[0]); }
    });
    child.on('close', (code) => reject(new Error(`kubectl logs -f ended (${code}) before a line: ${out}`)));
  });
}

const demo = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: demo:1
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
`;

describe('the runtime as a Node of the real control plane', () => {
  it('registers a Ready Node that reports the API server\'s version and its kubelet port', async () => {
    const node = await eventually('Node sandbox Ready', async () => { const n = await getJson('node', NODE); return isTrue(n, 'Ready') && n; });
    const version = JSON.parse(await kubectl(['version', '-o', 'json'])).serverVersion.gitVersion;
    expect(node.status.nodeInfo.kubeletVersion).toBe(version);
    expect(node.metadata.labels).toMatchObject({ 'kubernetes.io/hostname': NODE, 'kubernetes.io/os': 'linux' });
    expect(node.status.allocatable.pods).toBe('110');
    expect(node.status.daemonEndpoints.kubeletEndpoint.Port).toBeGreaterThan(0);
    const lease = await getJson('lease', '-n', 'kube-node-lease', NODE);
    expect(lease.spec.holderIdentity).toBe(NODE);
  });

  it('runs a scheduled Deployment Ready, listed in its EndpointSlice, behind a Service proxy, with logs for kubectl', async () => {
    await kubectl(['apply', '-f', '-'], demo);
    const pods = await eventually('2 Ready web pods', async () => {
      const items: Loose[] = (await getJson('pods', '-l', 'app=web')).items;
      return items.length === 2 && items.every((p: Loose) => p.spec.nodeName === NODE && p.status.phase === 'Running' && isTrue(p, 'Ready')) && items;
    });
    const ips = pods.map((p: Loose) => p.status.podIP).sort();
    await eventually('EndpointSlice with both pods ready', async () => {
      const slices: Loose[] = (await getJson('endpointslices', '-l', 'kubernetes.io/service-name=web')).items;
      const ready = slices.flatMap((s) => s.endpoints ?? []).filter((e: Loose) => e.conditions?.ready).flatMap((e: Loose) => e.addresses).sort();
      return JSON.stringify(ready) === JSON.stringify(ips);
    });
    const address = await eventually('a Service address', () => runtime!.serviceAddress('default', 'web'));
    const res = await eventually('the Service answers', async () => {
      const r = await fetch(`http://${address.ip}:${address.ports[80]}/healthz`, { signal: AbortSignal.timeout(3000) });
      return r.status === 200 && r;
    });
    expect(await res.text()).toContain('"status":"ok"');
    const name = pods[0].metadata.name;
    expect(await kubectl(['logs', name])).toContain(`demo-app ${name} listening on ${pods[0].status.podIP}:8080`);
    expect((await kubectl(['logs', name, '--tail=1'])).trim().split('\n')).toHaveLength(1);
    expect(await kubectl(['logs', name, '--limit-bytes=8'])).toBe('demo-app');
    await expect(kubectl(['logs', name, '--previous'])).rejects.toThrow(/previous/);
    expect(await firstLineFollowing(name)).toContain(`demo-app ${name} listening`);
  });

  it('serves container logs only to clients the API server authorizes for nodes/proxy', async () => {
    const node = await getJson('node', NODE);
    const name = (await getJson('pods', '-l', 'app=web')).items[0].metadata.name;
    const pki = path.join(dir, 'cp', 'pki');
    const get = (stem: string) => new Promise<number>((resolve, reject) => {
      const req = httpsRequest({
        host: '127.0.0.1', port: node.status.daemonEndpoints.kubeletEndpoint.Port, path: `/containerLogs/default/${name}/web`,
        ca: cp.caPem, cert: readFileSync(path.join(pki, `${stem}.crt`)), key: readFileSync(path.join(pki, `${stem}.key`)),
      }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
      req.on('error', reject);
      req.end();
    });
    expect(await get('apiserver-kubelet-client')).toBe(200);
    expect(await get('scheduler')).toBe(403);
  });

  it('provisions a local volume that the PV binder binds to a StatefulSet\'s claim, and reclaims it when the claim goes', async () => {
    await kubectl(['apply', '-f', '-'], `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 1
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
      - name: app
        image: demo:1
        env: [{name: PORT, value: "8080"}]
        volumeMounts: [{name: data, mountPath: /data}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
`);
    const claim = await eventually('claim data-db-0 Bound', async () => { const c = await getJson('pvc', 'data-db-0'); return c.status.phase === 'Bound' && c; });
    const pv = await getJson('pv', claim.spec.volumeName);
    expect(pv.spec.claimRef).toMatchObject({ name: 'data-db-0', namespace: 'default' });
    expect(pv.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0]).toMatchObject({ key: 'kubernetes.io/hostname', values: [NODE] });
    await eventually('pod db-0 Running', async () => (await getJson('pod', 'db-0')).status.phase === 'Running');
    expect(existsSync(pv.spec.hostPath.path)).toBe(true);

    await kubectl(['delete', 'statefulset', 'db', '--wait=false']);
    await kubectl(['delete', 'pvc', 'data-db-0', '--wait=false']);
    await eventually('the released volume deleted', async () => !(await kubectl(['get', 'pv', '-o', 'name'])).includes(claim.spec.volumeName));
    expect(existsSync(pv.spec.hostPath.path)).toBe(false);
  });

  it('runs the operator image in its own mount namespace, with a projected service-account token that the API server accepts', async () => {
    await kubectl(['apply', '-f', '-'], `
apiVersion: v1
kind: Pod
metadata: {name: operator}
spec:
  containers:
  - name: operator
    image: ghcr.io/webstack-dev/webstack-operator:0.1.0
    args: [--log-format=json]
    volumeMounts: [{name: tmp, mountPath: /tmp}]
  volumes: [{name: tmp, emptyDir: {}}]
`);
    const pod = await eventually('operator pod Running', async () => { const p = await getJson('pod', 'operator'); return p.status.phase === 'Running' && p; });
    const line = await eventually('the probe\'s answer in kubectl logs', async () => (await kubectl(['logs', 'operator'])).split('\n').find((l) => l.startsWith('{')));
    const report = JSON.parse(line);
    expect(report).toMatchObject({ user: 'system:serviceaccount:default:default', namespace: 'default' });
    expect(report.tokenBytes).toBeGreaterThan(100);
    expect(report.argv).toEqual(['run', '--log-format=json', `--bind-address=${pod.status.podIP}`]);
    // The sandbox finds leftovers by their working directory in the state dir, from outside the namespace too.
    const pid = runtime!.pod('default', 'operator')!.pids().operator!;
    expect(readlinkSync(`/proc/${pid}/cwd`).startsWith(`${realpathSync(stateDir)}/`)).toBe(true);
    // The mount namespace kept its mounts to itself.
    expect(existsSync('/var/run/secrets/kubernetes.io/serviceaccount/token')).toBe(false);
  });

  it('renews its Lease, keeps the Node Ready and, once closed, leaves no process behind', async () => {
    const renewed = (await getJson('lease', '-n', 'kube-node-lease', NODE)).spec.renewTime;
    await eventually('the node Lease renewed', async () => (await getJson('lease', '-n', 'kube-node-lease', NODE)).spec.renewTime !== renewed, 30_000, 1000);
    expect(isTrue(await getJson('node', NODE), 'Ready')).toBe(true);
    await runtime!.close(2000);
    runtime = undefined;
    const real = realpathSync(stateDir);
    const left = readdirSync('/proc').filter((e) => /^\d+$/.test(e)).filter((pid) => {
      try { return readlinkSync(`/proc/${pid}/cwd`).startsWith(`${real}/`); } catch { return false; }
    });
    expect(left).toEqual([]);
    expect(isTrue(await getJson('node', NODE), 'Ready')).toBe(true);
  });
});
