/**
 * A hung primary (SIGSTOP): it is failed over; when it resumes (SIGCONT) it is still writable and
 * may hold a commit that was waiting for a semi-sync ack when it hung. Fenced by a hard restart,
 * crash recovery (init_rpl_role = SLAVE) rolls that back and it rejoins; fenced by SQL (no
 * restarter, or the restart fails), killing the waiting session commits it and it may diverge.
 */
import { expect, test } from '@jest/globals';

import { WriteLoop } from '../support/mariadb-cluster.js';
import { acksFrom, idsOn, readOnly, waitHealthy, waitNewPrimary, writableInstances, writers, type Stack, stackPerFile } from './harness.js';
import { eventually } from '../support/eventually.js';

let stack: Stack;
stackPerFile((started) => { stack = started; });

/** Hangs the primary under writes, fails over, resumes it; the writers keep going throughout. */
async function hangUnderWrites(round: number): Promise<{ old: string; next: string; ws: WriteLoop[] }> {
  const ws = writers(stack, round);
  const old = stack.primary();
  ws.forEach((w) => w.start());
  let next: string;
  try {
    await acksFrom(ws, old, 0);
    const hungAt = Date.now();
    stack.cluster.stop(old);
    try {
      next = await waitNewPrimary(stack, old);
    } finally {
      stack.cluster.cont(old);
    }
    await acksFrom(ws, next, hungAt);
  } finally {
    await Promise.all(ws.map((w) => w.stop()));
  }
  return { old, next, ws };
}

test('SIGSTOP under writes: failover; SIGCONT: the old primary is restarted hard, rolls back its unacknowledged tail and rejoins', async () => {
  const { old, next, ws } = await hangUnderWrites(1);
  expect(stack.record.snapshot().lastFailover).toMatchObject({ from: old, to: next, reason: expect.stringMatching(/unreachable \(timeout\)/) });

  await eventually('the old primary to be fenced', async () => readOnly(stack, old), 30_000);
  await waitHealthy(stack);
  expect(stack.manager.status().instances.find((i) => i.name === old)).toMatchObject({ role: 'replica', ready: true });
  expect(stack.record.snapshot().quarantined ?? []).toEqual([]);
  expect(stack.events.events.filter((e) => e.reason === 'InstanceQuarantined')).toEqual([]);
  expect(stack.events.events.some((e) => e.reason === 'InstanceFenced' && e.message.startsWith(old) && /restarted hard/.test(e.message))).toBe(true);
  expect(await writableInstances(stack)).toEqual([next]);
  const onNew = await idsOn(stack, next);
  expect(ws.flatMap((w) => w.acked).filter((a) => !onNew.has(a.id))).toEqual([]);
  await eventually('the old primary to hold exactly the new primary\'s writes', async () => {
    const onOld = await idsOn(stack, old);
    const now = await idsOn(stack, next);
    return onOld.size === now.size && [...now].every((id) => onOld.has(id));
  });
}, 180_000);

test('a restarter that fails: the returning old primary is fenced by SQL instead (read-only, never writable beside the primary)', async () => {
  await stack.manager.stop();
  const manager = stack.newManager({ restarter: { restart: () => Promise.reject(new Error('pod delete refused')) } });
  stack.manager = manager;
  manager.start();
  const { old, next, ws } = await hangUnderWrites(2);

  await eventually('the old primary to be fenced', async () => readOnly(stack, old), 30_000);
  await eventually('an SQL fence Event', async () => stack.events.events.some((e) => e.reason === 'InstanceFenced'
    && e.message === `${old} was writable but is not the primary; made read-only`), 30_000);
  // With the SQL fence the waiting commit may land on the old primary: rejoined or quarantined are both safe.
  await eventually('the old primary to rejoin or be quarantined', async () => {
    const i = manager.status().instances.find((x) => x.name === old);
    return !!i && (i.role === 'quarantined' || (i.role === 'replica' && i.ready));
  }, 60_000);
  expect(await writableInstances(stack)).toEqual([next]);
  const onNew = await idsOn(stack, next);
  expect(ws.flatMap((w) => w.acked).filter((a) => !onNew.has(a.id))).toEqual([]);
}, 180_000);
