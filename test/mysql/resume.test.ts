/**
 * The manager killed between the steps of a failover: a fresh manager, knowing only the record and
 * the servers, finishes the job with exactly one writable primary.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import type { DatabaseManager } from '../../src/mysql/manager.js';

import { bootstrapped, idsOn, startStack, waitHealthy, writableInstances, type Stack } from './harness.js';
import { eventually } from '../support/eventually.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
  await bootstrapped(stack);
  await stack.manager.stop();
}, 120_000);
afterAll(async () => stack?.close(), 60_000);

let current: DatabaseManager;

test.each(['fence-replicas', 'record-intent', 'apply-relay-log', 'promote', 'record-primary', 'make-writable', 'repoint'])(
  'killed after step %s', async (killStep) => {
    current ??= stack.manager;
    await waitHealthy(stack, 60_000, current);
    const old = stack.primary();
    await stack.cluster.query(old, 'INSERT INTO app.writes SELECT COALESCE(MAX(id), 0) + 1, @@server_id FROM app.writes');
    await current.stop();

    let killed = false;
    const doomed: DatabaseManager = stack.newManager({
      afterStep: (action, step) => {
        if (action.kind === 'failover' && step === killStep) {
          killed = true;
          void doomed.stop();
          throw new Error(`manager killed after ${step}`);
        }
      },
    });
    await stack.cluster.kill(old);
    doomed.start();
    await eventually(`the manager to die after ${killStep}`, async () => killed, 30_000, 20);
    await doomed.stop();
    expect((await writableInstances(stack)).length).toBeLessThanOrEqual(1);

    current = stack.newManager();
    current.start();
    await eventually('the failover to finish', async () => stack.record.snapshot().lastFailover?.from === old && !stack.record.snapshot().failoverInProgress, 30_000);
    const next = stack.primary();
    expect(next).not.toBe(old);
    expect(await writableInstances(stack)).toEqual([next]);
    const rows = await idsOn(stack, next);
    await stack.cluster.restart(old);
    await waitHealthy(stack, 60_000, current);
    expect(await writableInstances(stack)).toEqual([next]);
    expect((await idsOn(stack, old)).size).toBe(rows.size);
  }, 120_000);
