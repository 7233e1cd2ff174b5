/**
 * An operator that can't list the pods (the API server refuses, as RBAC without `list pods` would)
 * never finishes starting; stopped then, it stops at once and never leads.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { startEnv, startOperator, type Env } from './harness.js';
import { eventually } from '../support/eventually.js';

let env: Env;
beforeAll(async () => {
  env = await startEnv();
});
afterAll(async () => env?.close());

test('stopped while its pod watch waits for a list that keeps failing: stops, and start ends without leading', async () => {
  env.server.faults.failNext({ verb: 'list', resource: 'pods', code: 500, count: 1_000_000 });
  const { operator, logs, ready } = startOperator(env);
  let started = false;
  const starting = ready.then(() => { started = true; });
  await eventually('the pod list to fail', async () => logs.lines.some((l) => l.includes('watch failed, restarting') && l.includes('"resource":"pods"')));
  expect(started).toBe(false);
  await operator.stop('received SIGTERM');
  await starting;
  expect(logs.lines.filter((l) => /caches synced|became leader|reconciling/.test(l))).toEqual([]);
});
