/**
 * `sandbox partition` and `heal` as the CLI drives them (through the control endpoint), with real
 * iptables and cgroups: every pod's processes run in its endpoint, so one pod cut off from another
 * can no longer reach it (nor answer it), while the node (this process: probes, Service proxies)
 * still can; heal ends it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import type { V1Pod } from '@kubernetes/client-node';
import { containerLogFile } from '../../../src/sandbox/runtime/container-logs.js';
import { CONTROL_FILE, partitionThroughControl, startControlServer, type ControlServer } from '../../../src/sandbox/runtime/control.js';
import { Partitions } from '../../../src/sandbox/runtime/partitions.js';
import { eventually } from '../../support/eventually.js';
import { httpGet, startHarness, type Harness } from './harness.js';

const ns = 'cut';
let h: Harness;
let partitions: Partitions;
let control: ControlServer;

beforeAll(async () => {
  partitions = Partitions.open();
  h = await startHarness({ partitions });
  control = await startControlServer(h.runtime, partitions);
  writeFileSync(path.join(h.stateDir, CONTROL_FILE), JSON.stringify({ pid: process.pid, control: control.url, apiserver: '', dns: '' }));
  await h.core.createNamespace({ body: { metadata: { name: ns } } });
}, 30_000);

afterAll(async () => {
  await control?.close();
  await h?.close();
  partitions?.close();
});

function pod(name: string, spec: V1Pod['spec']): V1Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns }, spec };
}

/** Tries to connect to SERVER:8080 every 200 ms and prints `ok` or `cut`; a database image runs its own command. */
const PROBE = `const s = require('net').connect(8080, process.env.SERVER); s.setTimeout(500, () => process.exit(1));
s.on('connect', () => process.exit(0)); s.on('error', () => process.exit(1));`;

function lastVerdicts(n: number): string[] {
  const text = (() => { try { return readFileSync(containerLogFile(h.stateDir, ns, 'client', 'probe'), 'utf8'); } catch { return ''; } })();
  return text.trim().split('\n').filter((l) => l === 'ok' || l === 'cut').slice(-n);
}

test('a pod cut off from another cannot reach it, the node still can, and heal ends the cut', async () => {
  await h.core.createNamespacedPod({ namespace: ns, body: pod('server', { containers: [{ name: 'web', image: 'ghcr.io/acme/shop:1.0', env: [{ name: 'PORT', value: '8080' }] }] }) });
  const server = await eventually('the server pod\'s address', async () => {
    const p = await h.core.readNamespacedPod({ name: 'server', namespace: ns });
    return p.status?.podIP && p.status.phase === 'Running' && p.status.podIP;
  });
  await eventually('the server to answer', async () => (await httpGet(server, 8080, '/healthz').catch(() => ({ status: 0 }))).status === 200);
  await h.core.createNamespacedPod({ namespace: ns, body: pod('client', { containers: [{
    name: 'probe', image: 'mariadb:11.4', env: [{ name: 'SERVER', value: server }],
    command: ['sh', '-c', `while :; do if node -e "${PROBE.replace(/"/g, '\\"')}"; then echo ok; else echo cut; fi; sleep 0.2; done`],
  }] }) });
  await eventually('the client to reach the server', async () => lastVerdicts(2).join() === 'ok,ok', 30_000);

  expect(await partitionThroughControl(h.stateDir, ns, 'client', false, ['server']))
    .toBe(`${ns}/client is cut off from ${ns}/server; 'sandbox heal client -n ${ns}' ends it`);
  expect(partitions.cutOff(`${ns}/server`)).toEqual([`${ns}/client`]);
  await expect(partitionThroughControl(h.stateDir, ns, 'client', false, ['nobody'])).rejects.toThrow(`partition --from: ${ns}/nobody is not known here`);
  await eventually('the client to be cut off', async () => lastVerdicts(3).join() === 'cut,cut,cut', 30_000);
  expect((await httpGet(server, 8080, '/healthz')).status).toBe(200);

  expect(await partitionThroughControl(h.stateDir, ns, 'server', true, [])).toBe(`${ns}/server healed: it reaches every pod and the operator again`);
  await eventually('the client to reach the server again', async () => lastVerdicts(2).join() === 'ok,ok', 30_000);
}, 90_000);
