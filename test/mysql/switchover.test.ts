/** Planned switchover on real MariaDB: zero lost writes; a candidate that cannot catch up, or hangs, is rolled back. */
import { afterAll, beforeAll, expect, test } from '@jest/globals';

import { bootstrapped, idsOn, readOnly, serverId, startStack, waitForAcksFrom, waitHealthy, writableInstances, writer, type Stack } from './harness.js';
import { eventually } from '../support/eventually.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
  await bootstrapped(stack);
}, 120_000);
afterAll(async () => stack?.close(), 60_000);

const [p0, p1, p2] = ['shop-mysql-0', 'shop-mysql-1', 'shop-mysql-2'];

test('switchover to the requested primary under writes loses nothing', async () => {
  const w = writer(stack);
  w.start();
  try {
    await waitForAcksFrom(w, serverId(p0), 30);
    stack.spec.desiredPrimary = p2;
    await eventually('the switchover', async () => stack.record.snapshot().lastFailover?.kind === 'switchover', 30_000);
    expect(stack.primary()).toBe(p2);
    await waitForAcksFrom(w, serverId(p2), 30);
  } finally {
    await w.stop();
  }
  const onNew = await idsOn(stack, p2);
  expect(w.acked.filter((a) => !onNew.has(a.id))).toEqual([]);
  const switchedAt = stack.record.history.find((h) => h.state.primary === p2)!.at;
  expect(w.acked.filter((a) => a.serverId === serverId(p0) && a.at > switchedAt)).toEqual([]);
  await waitHealthy(stack);
  expect(await writableInstances(stack)).toEqual([p2]);
  expect(stack.labeler.roles).toEqual({ [p0]: 'replica', [p1]: 'replica', [p2]: 'primary' });
  expect(stack.record.snapshot().lastFailover).toMatchObject({ kind: 'switchover', from: p0, to: p2 });
  expect(await stack.registry.getSingleMetricAsString('webstack_database_switchovers_total')).toContain('} 1');
}, 90_000);

test('a switchover whose candidate cannot catch up rolls back: the old primary takes writes again', async () => {
  // A global read lock on the candidate stalls its SQL thread: it receives but cannot apply.
  const lock = await stack.cluster.connect(p1);
  const w = writer(stack);
  try {
    await lock.query('FLUSH TABLES WITH READ LOCK');
    w.start();
    await waitForAcksFrom(w, serverId(p2), 20);
    stack.spec.desiredPrimary = p1;
    await eventually('the rollback', async () => stack.events.events.some((e) => e.reason === 'SwitchoverRolledBack'), 30_000);
    expect(stack.primary()).toBe(p2);
    expect(stack.record.snapshot().failoverInProgress).toBeUndefined();
    await eventually('the old primary writable again', async () => !(await readOnly(stack, p2)), 10_000);
    expect(await writableInstances(stack)).toEqual([p2]);
    await waitForAcksFrom(w, serverId(p2), 20);
  } finally {
    stack.spec.desiredPrimary = p2;
    await lock.query('UNLOCK TABLES').catch(() => undefined);
    await lock.end().catch(() => undefined);
    await w.stop();
  }
  const onPrimary = await idsOn(stack, p2);
  expect(w.acked.filter((a) => !onPrimary.has(a.id))).toEqual([]);
  expect(w.acked.every((a) => a.serverId === serverId(p2))).toBe(true);
  await waitHealthy(stack);
  expect(stack.events.events.find((e) => e.reason === 'SwitchoverRolledBack')?.message).toMatch(/did not catch up with shop-mysql-2/);
}, 90_000);

test('a switchover whose candidate hangs (SIGSTOP) mid-way rolls back and says why; the candidate rejoins when it resumes', async () => {
  await stack.manager.stop();
  let hung = false;
  const manager = stack.newManager({ afterStep: (action, step) => {
    if (action.kind === 'switchover' && step === 'demote-old-primary' && !hung) {
      hung = true;
      stack.cluster.stop(p1);
    }
  } });
  stack.manager = manager;
  manager.start();
  const before = stack.events.events.filter((e) => e.reason === 'SwitchoverRolledBack').length;
  const w = writer(stack, 1_000_000);
  try {
    w.start();
    await waitForAcksFrom(w, serverId(p2), 20);
    stack.spec.desiredPrimary = p1;
    await eventually('the rollback', async () => stack.events.events.filter((e) => e.reason === 'SwitchoverRolledBack').length > before, 30_000);
    expect(hung).toBe(true);
    expect(stack.primary()).toBe(p2);
    await eventually('the reason in the status', async () => manager.status().conditions.some((c) => c.type === 'FailoverBlocked'
      && c.status === 'True' && c.reason === 'SwitchoverRolledBack' && c.message.includes(`switchover to ${p1} rolled back`)), 10_000);
    await waitForAcksFrom(w, serverId(p2), 20);
  } finally {
    stack.spec.desiredPrimary = p2;
    stack.cluster.cont(p1);
    await w.stop();
  }
  await waitHealthy(stack);
  expect(await writableInstances(stack)).toEqual([p2]);
  const onPrimary = await idsOn(stack, p2);
  expect(w.acked.filter((a) => !onPrimary.has(a.id))).toEqual([]);
  await eventually(`${p1} to hold every acknowledged write`, async () => {
    const onP1 = await idsOn(stack, p1);
    return w.acked.every((a) => onP1.has(a.id));
  });
}, 90_000);
