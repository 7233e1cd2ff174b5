/** Planned switchover on real MariaDB: zero lost writes; a candidate that cannot catch up, or hangs, is rolled back. */
import { expect, test } from '@jest/globals';

import { idsOn, readOnly, serverId, waitForAcksFrom, waitHealthy, writableInstances, writer, type Stack, stackPerFile } from './harness.js';
import { eventually } from '../support/eventually.js';

let stack: Stack;
stackPerFile((started) => { stack = started; });

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

test('a fenced primary is switched over under writes, losing nothing; fenced, it serves no reads, is not repaired and is not switched back to; unfenced, it is', async () => {
  // A manager without the switchover backoff the rollbacks above left.
  await stack.manager.stop();
  stack.manager = stack.newManager();
  stack.manager.start();
  await waitHealthy(stack);
  expect(stack.primary()).toBe(p2);
  const w = writer(stack, 2_000_000);
  try {
    w.start();
    await waitForAcksFrom(w, serverId(p2), 20);
    // spec.database.primary still names p2: the fence wins until it is lifted.
    stack.spec.fenced = [p2];
    await eventually('a switchover away from the fenced primary', async () => stack.record.snapshot().lastFailover?.from === p2, 30_000);
    expect(stack.record.snapshot().lastFailover).toMatchObject({ kind: 'switchover', from: p2, to: p0, reason: `primary ${p2} is fenced: switching over to ${p0}` });
    await waitForAcksFrom(w, serverId(p0), 20);
    await eventually('the fenced one labelled fenced, out of the replicas Service', async () => stack.labeler.roles[p2] === 'fenced', 10_000);
    await eventually('the switch back refused while fenced', async () => stack.manager.status().conditions.some((c) => c.type === 'FailoverBlocked'
      && c.reason === 'SwitchoverTargetFenced'), 10_000);

    // Left alone while fenced: replication stopped by hand stays stopped.
    await stack.cluster.query(p2, 'STOP SLAVE');
    // Several ticks (every 250 ms) to find it stopped.
    await new Promise((r) => setTimeout(r, 1500));
    expect((await stack.cluster.query<{ Slave_IO_Running: string }>(p2, 'SHOW SLAVE STATUS'))[0].Slave_IO_Running).toBe('No');
    expect(stack.primary()).toBe(p0);
    expect(stack.manager.status().instances.find((i) => i.name === p2)).toMatchObject({ role: 'fenced', ready: false });

    stack.spec.fenced = [];
    await eventually('unfenced, it rejoins and takes the primary role the spec asks for', async () => stack.primary() === p2, 30_000);
    await waitForAcksFrom(w, serverId(p2), 20);
  } finally {
    stack.spec.fenced = [];
    await w.stop();
  }
  await waitHealthy(stack);
  expect(await writableInstances(stack)).toEqual([p2]);
  const onPrimary = await idsOn(stack, p2);
  expect(w.acked.filter((a) => !onPrimary.has(a.id))).toEqual([]);
  expect(stack.labeler.roles).toEqual({ [p0]: 'replica', [p1]: 'replica', [p2]: 'primary' });
}, 120_000);
