/**
 * Leader election between real operator processes (`webstack-operator run`) against the
 * in-memory API server, with short lease timings: one reconciles, a killed leader is replaced,
 * a stopped one hands over at once, one that cannot renew steps down and exits.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resourceFor, WEBSTACK } from '../../src/controller/resources.js';
import { DEPLOYMENT, getWs, startEnv, webStack, type Env } from './harness.js';
import { eventually } from '../support/eventually.js';

const NS = 'shop';
const LEASE = resourceFor('coordination.k8s.io/v1', 'Lease');
const TIMINGS = ['--leader-elect-lease-duration', '3s', '--leader-elect-renew-deadline', '2s', '--leader-elect-retry-period', '500ms'];

interface Proc {
  id: string;
  child: ChildProcess;
  lines: string[];
  exit: Promise<number | null>;
  metricsPort?: number;
  healthPort?: number;
}

let env: Env;
let dir: string;
let kubeconfigFile: string;
const procs: Proc[] = [];

function startProcess(id: string): Proc {
  const child = spawn(process.execPath, ['--import', '@swc-node/register/esm-register', 'src/cli.ts', 'run', '--kubeconfig', kubeconfigFile,
    '--lease-namespace', 'kube-system', '--metrics-port', '0', '--health-port', '0', '--log-format', 'json', ...TIMINGS],
  { env: { ...process.env, POD_NAME: id }, stdio: ['ignore', 'ignore', 'pipe'] });
  const p: Proc = { id, child, lines: [], exit: new Promise((r) => child.once('exit', (code) => r(code))) };
  let buf = '';
  child.stderr!.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop()!;
    for (const line of parts) {
      p.lines.push(line);
      try {
        const j = JSON.parse(line) as { message?: string; metricsPort?: number; healthPort?: number };
        if (j.message === 'serving probes and metrics') Object.assign(p, { metricsPort: j.metricsPort, healthPort: j.healthPort });
      } catch {
        // Not a log line (a Node warning): kept in `lines` for failure messages only.
      }
    }
  });
  procs.push(p);
  return p;
}

async function fetchText(port: number, urlPath: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${urlPath}`);
  return { status: res.status, text: await res.text() };
}

async function metric(p: Proc, name: string): Promise<number> {
  const { text } = await fetchText(p.metricsPort!, '/metrics');
  return text.split('\n').filter((l) => l.startsWith(name)).reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

async function holder(): Promise<string> {
  const lease = await env.client.get<{ spec: { holderIdentity?: string } }>(LEASE, 'kube-system', 'webstack-operator-leader');
  return lease?.spec.holderIdentity ?? '';
}

async function readyProcess(p: Proc): Promise<void> {
  await eventually(`${p.id} ready`, async () => p.healthPort !== undefined && (await fetchText(p.healthPort, '/readyz')).status === 200, 60_000);
}

beforeAll(async () => {
  env = await startEnv([NS]);
  dir = mkdtempSync(path.join(tmpdir(), 'webstack-leader-'));
  kubeconfigFile = path.join(dir, 'kubeconfig');
  env.server.writeKubeconfig(kubeconfigFile);
});

afterAll(async () => {
  for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await Promise.all(procs.map((p) => p.exit));
  await env?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function replicasOf(name: string): Promise<number | undefined> {
  return (await env.client.get<{ spec: { replicas: number } }>(DEPLOYMENT, NS, name))?.spec.replicas;
}

async function setReplicas(n: number): Promise<void> {
  const { apps } = (await getWs(env, NS, 'shop'))!.spec;
  // A merge patch, not an update: the leader may write the stack's status between a read and a write.
  await env.client.mergePatch(WEBSTACK, NS, 'shop', { spec: { apps: apps.map((a, i) => (i === 0 ? { ...a, replicas: n } : a)) } });
  await eventually(`shop-web scaled to ${n}`, async () => (await replicasOf('shop-web')) === n, 30_000);
}

describe('leader election between operator processes', () => {
  let leader: Proc;
  let follower: Proc;

  it('two instances: both ready, exactly one holds the lease and reconciles', async () => {
    const a = startProcess('op-a');
    const b = startProcess('op-b');
    await readyProcess(a);
    await readyProcess(b);
    for (const p of [a, b]) {
      expect((await fetchText(p.healthPort!, '/healthz')).status).toBe(200);
      expect((await fetchText(p.healthPort!, '/nope')).status).toBe(404);
      expect((await fetchText(p.metricsPort!, '/metrics')).text).toContain('process_cpu_seconds_total');
    }
    await env.client.create(WEBSTACK, NS, webStack('shop', { apps: [{ name: 'web', image: 'ghcr.io/acme/shop:1', replicas: 1 }] }));
    await eventually('shop-web created', async () => (await replicasOf('shop-web')) === 1, 30_000);
    const id = await holder();
    expect(['op-a', 'op-b']).toContain(id);
    [leader, follower] = id === 'op-a' ? [a, b] : [b, a];
    expect(await metric(leader, 'webstack_leader')).toBe(1);
    expect(await metric(follower, 'webstack_leader')).toBe(0);
    // A reconcile is counted once it has finished, status and Events included: a moment after its first apply.
    await eventually('the leader counts its reconciles', async () => (await metric(leader, 'webstack_reconcile_total')) > 0, 30_000);
    expect(await metric(follower, 'webstack_reconcile_total')).toBe(0);
  }, 120_000);

  it('killing the leader (SIGKILL): the follower takes over once the lease expires and reconciles', async () => {
    const killedAt = Date.now();
    leader.child.kill('SIGKILL');
    await leader.exit;
    await eventually('follower holds the lease', async () => (await holder()) === follower.id, 30_000);
    const handoverMs = Date.now() - killedAt;
    process.stdout.write(`leader handover after SIGKILL: ${handoverMs} ms (lease duration 3000 ms)\n`);
    await setReplicas(2);
    expect(await metric(follower, 'webstack_leader')).toBe(1);
    leader = follower;
  }, 120_000);

  it('SIGTERM: the leader releases the lease, exits 0, and a waiting instance takes over at once', async () => {
    const next = startProcess('op-c');
    await readyProcess(next);
    leader.child.kill('SIGTERM');
    expect(await leader.exit).toBe(0);
    await eventually('op-c holds the lease', async () => (await holder()) === 'op-c', 30_000);
    await setReplicas(3);
    leader = next;
  }, 120_000);

  it('a leader that cannot renew within the renew deadline steps down and exits 1', async () => {
    env.server.faults.failNext({ verb: 'update', resource: 'leases', code: 500, count: 1_000_000 });
    expect(await leader.exit).toBe(1);
    expect(leader.lines.some((l) => l.includes('lost the leader lease'))).toBe(true);
  }, 120_000);
});
