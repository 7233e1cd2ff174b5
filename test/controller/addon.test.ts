/** The seam for the database manager: started per stack, stopped with it, its contribution merged into status. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AddonContribution, StackAddon } from '../../src/controller/addons.js';
import type { Operator } from '../../src/controller/operator.js';
import { WEBSTACK } from '../../src/controller/resources.js';
import type { WebStack } from '../../src/api/types.js';
import type { WorkloadSimulator } from '../support/workload-simulator.js';
import { condition, getWs, startEnv, startOperator, startSimulator, webStack, type Env } from './harness.js';
import { eventually } from '../support/eventually.js';

/** A stand-in database manager whose contribution the test sets. */
class ScriptedAddon implements StackAddon {
  readonly ensured = new Set<string>();
  readonly stopped: string[] = [];
  private readonly wake = new Map<string, () => void>();
  current: AddonContribution | undefined;

  ensure(ws: WebStack, changed: () => void): void {
    const key = `${ws.metadata.namespace}/${ws.metadata.name}`;
    this.ensured.add(key);
    this.wake.set(key, changed);
  }

  stop(key: string): void {
    this.stopped.push(key);
    this.ensured.delete(key);
  }

  contribution(): AddonContribution | undefined {
    return this.current;
  }

  report(key: string, c: AddonContribution): void {
    this.current = c;
    this.wake.get(key)?.();
  }
}

const NS = 'shop';
let env: Env;
let operator: Operator;
let sim: WorkloadSimulator;
const addon = new ScriptedAddon();

beforeAll(async () => {
  env = await startEnv([NS]);
  ({ operator } = startOperator(env, { addon }));
  sim = startSimulator(env);
  await eventually('operator caches synced', () => operator.caches.hasSynced());
});

afterAll(async () => {
  await sim?.stop();
  await operator?.stop();
  await env?.close();
});

describe('stack addons', () => {
  it('is ensured for a live stack; its database section and conditions reach the status; it can hold Ready back', async () => {
    await env.client.create(WEBSTACK, NS, webStack('shop', { apps: [{ name: 'web', image: 'ghcr.io/acme/shop:1' }] }));
    await eventually('Ready without a contribution', async () => condition(await getWs(env, NS, 'shop'), 'Ready')?.status === 'True');
    expect(addon.ensured.has('shop/shop')).toBe(true);
    expect((await getWs(env, NS, 'shop'))!.status!.database).toBeUndefined();

    addon.report('shop/shop', {
      database: { primary: 'shop-mysql-1', instances: [{ name: 'shop-mysql-1', role: 'primary', ready: true }] },
      conditions: [{ type: 'DatabaseReady', status: 'False', reason: 'Bootstrapping', message: 'creating the app user' }],
      notReady: { reason: 'DatabaseNotReady', message: 'creating the app user' },
    });
    const ws = await eventually('contribution in status', async () => {
      const w = await getWs(env, NS, 'shop');
      return w?.status?.database?.primary === 'shop-mysql-1' && condition(w, 'Ready')?.reason === 'DatabaseNotReady' ? w : undefined;
    });
    expect(condition(ws, 'DatabaseReady')).toEqual(expect.objectContaining({ status: 'False', reason: 'Bootstrapping', observedGeneration: 1 }));

    addon.report('shop/shop', { database: { primary: 'shop-mysql-1' }, conditions: [{ type: 'DatabaseReady', status: 'True', reason: 'Replicating', message: 'ok' }] });
    await eventually('Ready again', async () => condition(await getWs(env, NS, 'shop'), 'Ready')?.status === 'True');
  });

  it('is stopped when the stack is deleted', async () => {
    await env.client.delete(WEBSTACK, NS, 'shop');
    await eventually('addon stopped', () => addon.stopped.includes('shop/shop'));
  });
});
