/**
 * A change of the pod template rolls by switchover on real MariaDB instances under writes:
 * replicas first, one at a time, then a switchover, then the old primary. No failover, no
 * acknowledged write lost, and writes pause no longer than the switchover. With two instances the
 * primary's semi-sync wait is suspended while its only replica is away, so writes go on meanwhile.
 * The pods are stand-ins: a replaced instance shuts down cleanly (SIGTERM, as a deleted pod) and
 * starts again on its data, now "running the new template".
 */
import { afterEach, expect, test } from '@jest/globals';
import { StaticTopology } from '../../src/mysql/memory.js';
import { acksFrom, bootstrapped, idsOn, serverId, startStack, waitHealthy, writers, type Stack } from './harness.js';
import { eventually } from '../support/eventually.js';

interface Rolling {
  stack: Stack;
  /** Sets the StatefulSet's update revision. */
  update(revision: string): void;
  /** Every instance runs the update revision, and each replaced one is back. */
  allUpdated(): Promise<void>;
  /** The replaced instances, in order, with when each was down (shut down, until started again). */
  replaced: { name: string; downAt: number; upAt: number }[];
}

let current: Stack | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
}, 60_000);

/** `size` real instances whose manager rolls an outdated one by shutting it down and starting it again. */
async function rollingStack(size: number): Promise<Rolling> {
  const stack = await startStack({ size });
  current = stack;
  const running = new Map<string, string>();
  let revision = 'r1';
  for (const i of stack.cluster.instances) running.set(i.name, revision);
  const replaced: Rolling['replaced'] = [];
  const comebacks: Promise<void>[] = [];
  await stack.manager.stop();
  stack.manager = stack.newManager({
    topology: new StaticTopology(() => stack.cluster.addresses().map((a) => ({ ...a, ...(running.get(a.name) !== revision ? { outdated: true } : {}) }))),
    roller: {
      replace: async (name) => {
        // Accepted now; the pod goes away and comes back on its own, as the StatefulSet recreates it.
        comebacks.push((async () => {
          await stack.cluster.shutdown(name);
          const downAt = Date.now();
          running.set(name, revision);
          await stack.cluster.restart(name);
          replaced.push({ name, downAt, upAt: Date.now() });
        })());
      },
    },
  });
  stack.spec.replicas = size;
  await bootstrapped(stack);
  return {
    stack, replaced,
    update: (r) => { revision = r; },
    async allUpdated() {
      await eventually('every instance updated', async () => [...running.values()].every((r) => r === revision), 180_000, 100);
      await Promise.all(comebacks);
    },
  };
}

test('a template change rolls replicas first, then switches over, then rolls the old primary: no failover, no write lost', async () => {
  const { stack, update, allUpdated, replaced } = await rollingStack(3);
  const first = stack.primary();
  const ws = writers(stack, 1);
  for (const w of ws) w.start();
  await acksFrom(ws, first, 0);

  update('r2');
  await allUpdated();
  await waitHealthy(stack, 120_000);
  const switchedTo = stack.primary();
  await acksFrom(ws, switchedTo, Date.now());
  for (const w of ws) await w.stop();

  const [p0, p1, p2] = stack.cluster.instances.map((i) => i.name);
  expect(first).toBe(p0);
  expect(replaced.map((r) => r.name)).toEqual([p2, p1, p0]);
  expect(switchedTo).toBe(p1);
  const last = stack.record.snapshot().lastFailover!;
  expect(last).toMatchObject({ kind: 'switchover', from: p0, to: p1 });
  expect(stack.events.events.map((e) => e.reason)).not.toContain('FailoverCompleted');
  expect(stack.events.events.filter((e) => e.reason === 'InstanceReplaced')).toHaveLength(3);
  // Another replica acknowledged all along: the wait was never suspended.
  expect(stack.events.events.map((e) => e.reason)).not.toContain('SemiSyncSuspended');

  const acked = ws.flatMap((w) => w.acked);
  const rows = await idsOn(stack, switchedTo);
  expect(acked.filter((a) => !rows.has(a.id))).toEqual([]);
  // The longest pause any writer saw (the writer follows the record as an app follows the primary Service).
  const pause = Math.max(...ws.map((w) => Math.max(...w.acked.slice(1).map((a, i) => a.at - w.acked[i].at))));
  console.log(JSON.stringify({ rollingWritePauseMs: pause, switchoverMs: last.durationMs, writes: acked.length }));
  // The switchover's own duration plus one probe tick and a writer's reconnect: no pause from the replica rolls.
  expect(pause).toBeLessThanOrEqual(last.durationMs + 1000);
}, 300_000);

test('two instances in semi-sync: each is rolled while the other commits without waiting for it, then waits again', async () => {
  const { stack, update, allUpdated, replaced } = await rollingStack(2);
  const [p0, p1] = stack.cluster.instances.map((i) => i.name);
  // One writer: while the wait is off it commits faster than a lone replica applies on a busy machine, and the roll waits until it has caught up.
  const ws = writers(stack, 2, 1);
  for (const w of ws) w.start();
  await acksFrom(ws, p0, 0);

  update('r2');
  await allUpdated();
  await waitHealthy(stack, 120_000);
  await eventually('the semi-sync wait resumed on the new primary', () => stack.events.events.filter((e) => e.reason === 'SemiSyncResumed').length === 2, 30_000, 50);
  await acksFrom(ws, p1, Date.now());
  for (const w of ws) await w.stop();

  expect(replaced.map((r) => r.name)).toEqual([p1, p0]);
  expect(stack.record.snapshot().lastFailover).toMatchObject({ kind: 'switchover', from: p0, to: p1 });
  expect(stack.events.events.map((e) => e.reason)).not.toContain('FailoverCompleted');
  expect(stack.events.events.filter((e) => e.reason === 'SemiSyncSuspended').map((e) => e.message)).toEqual([
    expect.stringMatching(new RegExp(`^${p0} commits without waiting .* while ${p1} is replaced next by the rolling update`)),
    expect.stringMatching(new RegExp(`^${p1} commits without waiting .* while ${p0} is replaced next by the rolling update`)),
  ]);
  // Writes the primary acknowledged while its only replica was down: with the wait on, there would be none.
  const acked = ws.flatMap((w) => w.acked);
  for (const [away, primary] of [[replaced[0], p0], [replaced[1], p1]] as const) {
    expect({ away: away.name, acked: acked.some((a) => a.serverId === serverId(primary) && a.at > away.downAt && a.at < away.upAt) }).toEqual({ away: away.name, acked: true });
  }
  const rows = await idsOn(stack, p1);
  expect(acked.filter((a) => !rows.has(a.id))).toEqual([]);
  const [semi] = await stack.cluster.query<{ on: number }>(p1, 'SELECT @@rpl_semi_sync_master_enabled AS `on`');
  expect(semi.on).toBe(1);
}, 300_000);
