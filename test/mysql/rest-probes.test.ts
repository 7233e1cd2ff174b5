/**
 * Probing at rest, on real mariadbd: the primary every tick, each replica once per failure
 * threshold; a replica that hangs is still found, and a primary that needs an action gets it.
 * Probes are counted by the servers themselves (each probe runs SHOW SLAVE STATUS once).
 */
import { expect, test } from '@jest/globals';
import { readOnly, waitHealthy, type Stack, stackPerFile } from './harness.js';
import { eventually } from '../support/eventually.js';

let stack: Stack;
stackPerFile((started) => { stack = started; });

async function probesSoFar(name: string): Promise<number> {
  const [row] = await stack.cluster.query<{ Value: string }>(name, "SHOW GLOBAL STATUS LIKE 'Com_show_slave_status'");
  return Number(row.Value);
}

async function probesDuring(ms: number): Promise<Record<string, number>> {
  const names = stack.cluster.instances.map((i) => i.name);
  const before = await Promise.all(names.map(probesSoFar));
  await new Promise((r) => setTimeout(r, ms));
  const after = await Promise.all(names.map(probesSoFar));
  return Object.fromEntries(names.map((n, i) => [n, after[i] - before[i]]));
}

const replicas = () => stack.cluster.instances.map((i) => i.name).filter((n) => n !== stack.primary());
const instance = (name: string) => stack.manager.status().instances.find((i) => i.name === name);

test('at rest the primary is probed every tick (250 ms) and each replica about once per failure threshold (1 s)', async () => {
  await waitHealthy(stack);
  const counts = await probesDuring(4000);
  const primaryProbes = counts[stack.primary()];
  expect(primaryProbes).toBeGreaterThanOrEqual(8);
  for (const r of replicas()) {
    expect(counts[r]).toBeGreaterThanOrEqual(1);
    expect(counts[r] * 2).toBeLessThan(primaryProbes);
  }
}, 30_000);

test('a replica that hangs at rest is found by its next probe and reported unready; resumed, it is ready again', async () => {
  await waitHealthy(stack);
  const [hung] = replicas();
  stack.cluster.stop(hung);
  try {
    await eventually(`${hung} reported unready`, async () => instance(hung)?.ready === false, 10_000, 50);
    expect(instance(hung)?.message).toMatch(/timeout|no answer within/i);
  } finally {
    stack.cluster.cont(hung);
  }
  await waitHealthy(stack);
}, 60_000);

test('a primary made read-only by hand at rest is made writable again', async () => {
  await waitHealthy(stack);
  const primary = stack.primary();
  await stack.cluster.query(primary, 'SET GLOBAL read_only = ON');
  await eventually(`${primary} writable again`, async () => !(await readOnly(stack, primary)), 10_000, 50);
  expect(stack.primary()).toBe(primary);
  await waitHealthy(stack);
}, 60_000);
