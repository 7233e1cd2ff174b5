/** A hung primary (SIGSTOP): it is failed over; when it resumes (SIGCONT) it is fenced and rejoins. */
import { afterAll, beforeAll, expect, test } from '@jest/globals';

import { bootstrapped, idsOn, readOnly, serverId, startStack, waitForAcksFrom, waitHealthy, waitNewPrimary, writableInstances, writer, type Stack } from './harness.js';
import { eventually } from '../support/eventually.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
  await bootstrapped(stack);
}, 120_000);
afterAll(async () => stack?.close(), 60_000);

test('SIGSTOP: failover to a replica; SIGCONT: the old primary is fenced read-only and rejoins', async () => {
  const w = writer(stack);
  const old = stack.primary();
  w.start();
  await waitForAcksFrom(w, serverId(old), 30);
  // Quiet before the hang, so the old primary holds nothing the replicas lack and must rejoin.
  await w.stop();
  stack.cluster.stop(old);
  let next: string;
  try {
    next = await waitNewPrimary(stack, old);
  } finally {
    stack.cluster.cont(old);
  }
  await eventually('the failover to be recorded', async () => stack.record.snapshot().lastFailover?.from === old);
  expect(stack.record.snapshot().lastFailover?.reason).toMatch(/unreachable \(timeout\)/);

  const after = writer(stack);
  after.start();
  await waitForAcksFrom(after, serverId(next), 20);
  await after.stop();

  await eventually('the old primary to be fenced', async () => readOnly(stack, old), 30_000);
  await waitHealthy(stack);
  expect(stack.manager.status().instances.find((i) => i.name === old)).toMatchObject({ role: 'replica', ready: true });
  expect(await writableInstances(stack)).toEqual([next]);
  expect(stack.events.events.some((e) => e.reason === 'InstanceFenced' && e.message.startsWith(old))).toBe(true);
  const onNew = await idsOn(stack, next);
  expect([...w.acked, ...after.acked].filter((a) => !onNew.has(a.id))).toEqual([]);
  await eventually('the old primary to hold every write', async () => (await idsOn(stack, old)).size === onNew.size);
}, 120_000);
