/**
 * A change of the pod template rolls by switchover on three real MariaDB instances under writes:
 * replicas first, one at a time, then a switchover, then the old primary. No failover, no
 * acknowledged write lost, and writes pause no longer than the switchover. The pods are stand-ins:
 * a replaced instance shuts down cleanly (SIGTERM, as a deleted pod) and starts again on its data,
 * now "running the new template".
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { StaticTopology } from '../../src/mysql/memory.js';
import { acksFrom, bootstrapped, idsOn, startStack, waitHealthy, writers, type Stack } from './harness.js';
import { eventually } from '../support/eventually.js';

let stack: Stack;
/** The template revision each instance runs; the StatefulSet's update revision is `revision`. */
const running = new Map<string, string>();
let revision = 'r1';
const replaced: string[] = [];
const comebacks: Promise<void>[] = [];

beforeAll(async () => {
  stack = await startStack();
  for (const i of stack.cluster.instances) running.set(i.name, revision);
  await stack.manager.stop();
  stack.manager = stack.newManager({
    topology: new StaticTopology(() => stack.cluster.addresses().map((a) => ({ ...a, ...(running.get(a.name) !== revision ? { outdated: true } : {}) }))),
    roller: {
      replace: async (name) => {
        replaced.push(name);
        // Accepted now; the pod goes away and comes back on its own, as the StatefulSet recreates it.
        comebacks.push((async () => {
          await stack.cluster.shutdown(name);
          running.set(name, revision);
          await stack.cluster.restart(name);
        })());
      },
    },
  });
  stack.spec.replicas = 3;
  await bootstrapped(stack);
}, 120_000);
afterAll(async () => stack?.close(), 60_000);

test('a template change rolls replicas first, then switches over, then rolls the old primary: no failover, no write lost', async () => {
  const first = stack.primary();
  const ws = writers(stack, 1);
  for (const w of ws) w.start();
  await acksFrom(ws, first, 0);

  revision = 'r2';
  await eventually('every instance updated', async () => [...running.values()].every((r) => r === revision), 180_000, 100);
  await Promise.all(comebacks);
  await waitHealthy(stack, 120_000);
  const switchedTo = stack.primary();
  await acksFrom(ws, switchedTo, Date.now());
  for (const w of ws) await w.stop();

  const [p0, p1, p2] = stack.cluster.instances.map((i) => i.name);
  expect(first).toBe(p0);
  expect(replaced).toEqual([p2, p1, p0]);
  expect(switchedTo).toBe(p1);
  const last = stack.record.snapshot().lastFailover!;
  expect(last).toMatchObject({ kind: 'switchover', from: p0, to: p1 });
  expect(stack.events.events.map((e) => e.reason)).not.toContain('FailoverCompleted');
  expect(stack.events.events.filter((e) => e.reason === 'InstanceReplaced')).toHaveLength(3);

  const acked = ws.flatMap((w) => w.acked);
  const rows = await idsOn(stack, switchedTo);
  expect(acked.filter((a) => !rows.has(a.id))).toEqual([]);
  // The longest pause any writer saw (the writer follows the record as an app follows the primary Service).
  const pause = Math.max(...ws.map((w) => Math.max(...w.acked.slice(1).map((a, i) => a.at - w.acked[i].at))));
  console.log(JSON.stringify({ rollingWritePauseMs: pause, switchoverMs: last.durationMs, writes: acked.length }));
  // The switchover's own duration plus one probe tick and a writer's reconnect: no pause from the replica rolls.
  expect(pause).toBeLessThanOrEqual(last.durationMs + 1000);
}, 300_000);
