/**
 * Network partitions on real MariaDB (iptables on per-instance cgroups, src/sandbox/runtime/partitions.ts).
 * This test process is the operator's endpoint; the writers go through socat proxies in a
 * `clients` endpoint, so they are cut only where a test says so. Cases: the primary cut off from
 * its replicas and the operator (failover; healed, it rolls back what nobody acknowledged and
 * rejoins), the operator alone cut off from the primary (no failover), a replica cut off and
 * healed (it catches up). No acknowledged write is lost in any of them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';

import { cgroup2Root, Partitions } from '../../src/sandbox/runtime/partitions.js';
import { WriteLoop } from '../support/mariadb-cluster.js';
import { eventually } from '../support/eventually.js';
import { acksFrom, bootstrapped, idsOn, serverId, startStack, waitHealthy, waitNewPrimary, writableInstances, type Stack } from './harness.js';
import { freePort } from '../../src/sandbox/control-plane/index.js';

let partitions: Partitions;
let stack: Stack;
const proxies = new Map<string, { port: number; process: ChildProcess }>();


beforeAll(async () => {
  partitions = Partitions.open();
  partitions.add('operator');
  partitions.add('clients');
  partitions.place('operator', process.pid);
  stack = await startStack({ partitions });
  await bootstrapped(stack);
  for (const i of stack.cluster.instances) {
    const port = await freePort();
    const cmd = partitions.wrap('clients', 'socat', [`TCP-LISTEN:${port},bind=127.0.0.1,fork,reuseaddr`, `TCP:${i.host}:${i.port}`]);
    proxies.set(i.name, { port, process: spawn(cmd.command, cmd.args, { stdio: 'ignore' }) });
  }
}, 120_000);

afterAll(async () => {
  for (const p of proxies.values()) p.process.kill('SIGKILL');
  await stack?.close();
  // Back to the root cgroup, so the operator's cgroup can go.
  const root = cgroup2Root(readFileSync('/proc/mounts', 'utf8'));
  if (root) writeFileSync(path.join(root, 'cgroup.procs'), String(process.pid));
  partitions?.close();
}, 60_000);

/** Writers through the proxies, following the recorded primary as an app behind the primary Service does. */
function writers(round: number, count = 4): WriteLoop[] {
  const c = stack.cluster.credentials;
  return Array.from({ length: count }, (_, i) => new WriteLoop(() => {
    const proxy = proxies.get(stack.primary());
    return proxy && { host: '127.0.0.1', port: proxy.port };
  }, { user: c.appUser, password: c.appPassword, database: c.databaseName }, { firstId: (round * 10 + i) * 100_000, ssl: stack.cluster.ssl() }));
}

async function lostOn(name: string, ws: WriteLoop[]): Promise<number[]> {
  const on = await idsOn(stack, name);
  return ws.flatMap((w) => w.acked).filter((a) => !on.has(a.id)).map((a) => a.id);
}

const others = (name: string) => stack.cluster.instances.map((i) => i.name).filter((n) => n !== name);

test('the primary cut off from its replicas and the operator: failover; healed, it accepts no acknowledged write and rejoins', async () => {
  const old = stack.primary();
  const ws = writers(1);
  ws.forEach((w) => w.start());
  let next: string;
  let cutAt: number;
  try {
    await acksFrom(ws, old, 0);
    cutAt = Date.now();
    partitions.partition(old, [...others(old), 'operator']);
    next = await waitNewPrimary(stack, old);
    const promotedAt = Date.now();
    await acksFrom(ws, next, cutAt);
    const firstAck = Math.min(...ws.flatMap((w) => w.acked).filter((a) => a.serverId === serverId(next)).map((a) => a.at));
    process.stdout.write(`partition of the primary: ${next} recorded as primary ${promotedAt - cutAt} ms after the cut, `
      + `first write it acknowledged ${firstAck - cutAt} ms after\n`);
    // Its clients still reach the old primary, but nothing it takes is acknowledged: no replica can.
    expect(ws.flatMap((w) => w.acked).filter((a) => a.serverId === serverId(old) && a.at > cutAt + 1000)).toEqual([]);
  } finally {
    partitions.heal(old);
    await Promise.all(ws.map((w) => w.stop()));
  }
  await waitHealthy(stack);
  expect(stack.manager.status().instances.find((i) => i.name === old)).toMatchObject({ role: 'replica', ready: true });
  expect(stack.record.snapshot().quarantined ?? []).toEqual([]);
  expect(await writableInstances(stack)).toEqual([next]);
  expect(await lostOn(next, ws)).toEqual([]);
  await eventually(`${old} to hold every acknowledged write`, async () => (await lostOn(old, ws)).length === 0);
}, 180_000);

test('only the operator cut off from the primary, its replicas still replicating: no failover, and the status says why', async () => {
  const primary = stack.primary();
  const ws = writers(2);
  ws.forEach((w) => w.start());
  const failovers = stack.events.events.filter((e) => e.reason === 'FailoverCompleted').length;
  try {
    await acksFrom(ws, primary, 0);
    partitions.partition('operator', [primary]);
    const cutAt = Date.now();
    await eventually('the operator to report why it does not fail over', async () => stack.manager.status().conditions.some((c) =>
      c.type === 'FailoverBlocked' && c.status === 'True' && c.reason === 'PrimaryUnreachableFromOperator'), 30_000);
    // Not reported as a primary that is down: the user is pointed at the network between it and the operator.
    expect(stack.manager.status().conditions.find((c) => c.type === 'DatabaseReady')).toMatchObject({ reason: 'PrimaryUnreachableFromOperator' });
    // Well past the failure threshold (1 s): writes go on, acknowledged by the same primary.
    await acksFrom(ws, primary, Date.now() + 3000);
    expect(stack.primary()).toBe(primary);
    expect(stack.events.events.filter((e) => e.reason === 'FailoverCompleted').length).toBe(failovers);
    for (const replica of others(primary)) {
      const acked = ws.flatMap((w) => w.acked).filter((a) => a.at > cutAt).slice(0, 50);
      await eventually(`${replica} to replicate during the cut`, async () => {
        const on = await idsOn(stack, replica);
        return acked.every((a) => on.has(a.id));
      }, 30_000);
    }
  } finally {
    partitions.heal('operator');
    await Promise.all(ws.map((w) => w.stop()));
  }
  await waitHealthy(stack);
  expect(stack.primary()).toBe(primary);
  expect(await lostOn(primary, ws)).toEqual([]);
}, 120_000);

test('a replica cut off and healed catches up', async () => {
  const primary = stack.primary();
  const replica = others(primary)[0];
  const ws = writers(3);
  ws.forEach((w) => w.start());
  try {
    await acksFrom(ws, primary, 0);
    partitions.partition(replica, [...others(replica), 'operator']);
    const cutAt = Date.now();
    await eventually(`${replica} reported not ready`, async () => stack.manager.status().instances.some((i) => i.name === replica && !i.ready), 30_000);
    // The other replica acknowledges: writes go on.
    await acksFrom(ws, primary, cutAt + 2000);
    expect(stack.primary()).toBe(primary);
  } finally {
    partitions.heal(replica);
    await Promise.all(ws.map((w) => w.stop()));
  }
  await waitHealthy(stack);
  expect(await lostOn(primary, ws)).toEqual([]);
  await eventually(`${replica} to catch up`, async () => (await lostOn(replica, ws)).length === 0);
}, 120_000);
