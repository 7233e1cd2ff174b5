/**
 * The reconcile and the database manager meet only through the API: with a database manager
 * configured, Ready and Degraded follow the database conditions stored in the status, whoever wrote
 * them, and the reconcile's own writes never undo them. The test writes them, as the manager does.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Condition, WebStack } from '../../src/api/types.js';
import type { Operator } from '../../src/controller/operator.js';
import { WEBSTACK } from '../../src/controller/resources.js';
import type { WorkloadSimulator } from '../support/workload-simulator.js';
import { condition, getWs, startEnv, startOperator, startSimulator, webStack, type Env } from './harness.js';
import { eventually } from '../support/eventually.js';

const NS = 'shop';
let env: Env;
let operator: Operator;
let sim: WorkloadSimulator;
const lifecycle: string[] = [];

beforeAll(async () => {
  env = await startEnv([NS]);
  ({ operator } = startOperator(env, {
    databaseManagers: () => ({ start: () => { lifecycle.push('start'); }, stop: async () => { lifecycle.push('stop'); } }),
  }));
  sim = startSimulator(env);
  await eventually('operator caches synced', () => operator.caches.hasSynced());
});

afterAll(async () => {
  await sim?.stop();
  await operator?.stop();
  await env?.close();
});

/** What the database manager writes: its conditions merged into the stored list, conditional on the resourceVersion. */
async function writeDatabaseConditions(conditions: Omit<Condition, 'lastTransitionTime'>[], bootstrapped: boolean): Promise<void> {
  const ws = (await getWs(env, NS, 'shop'))!;
  const stamped = conditions.map((c) => ({ ...c, lastTransitionTime: '2026-12-01T00:00:00Z' }));
  const others = (ws.status?.conditions ?? []).filter((c) => !conditions.some((d) => d.type === c.type));
  await env.client.mergePatch(WEBSTACK, NS, 'shop', { metadata: { resourceVersion: ws.metadata.resourceVersion },
    status: { database: { primary: 'shop-mysql-1', bootstrapped }, conditions: [...others, ...stamped] } }, 'status');
}

describe('Ready and Degraded from the stored database conditions', () => {
  it('waits for the database manager\'s first report, then follows it', async () => {
    // Caches synced comes first; the operator starts leading (and the managers) a moment after.
    await eventually('the database managers started', () => lifecycle.length > 0);
    expect(lifecycle).toEqual(['start']);
    await env.client.create(WEBSTACK, NS, webStack('shop', { apps: [{ name: 'web', image: 'ghcr.io/acme/shop:1' }] }));
    const waiting = await eventually('workloads ready, Ready held back', async () => {
      const w = await getWs(env, NS, 'shop');
      return condition(w, 'Ready')?.reason === 'DatabaseNotProbedYet' && w?.status?.appsSummary === 'web 2/2' ? w : undefined;
    });
    expect(condition(waiting, 'Ready')).toEqual(expect.objectContaining({ status: 'False', observedGeneration: 1 }));

    await writeDatabaseConditions([{ type: 'DatabaseReady', status: 'False', reason: 'Bootstrapping', message: 'setting up shop-mysql-1' }], false);
    await eventually('Ready=False for the database', async () => condition(await getWs(env, NS, 'shop'), 'Ready')?.reason === 'DatabaseBootstrapping');

    await writeDatabaseConditions([
      { type: 'DatabaseReady', status: 'True', reason: 'PrimaryWritable', message: 'ok' },
      { type: 'SemiSyncDegraded', status: 'True', reason: 'NoReplicaAcknowledging', message: 'writes wait' },
    ], true);
    const ws: WebStack = await eventually('Ready, and Degraded for semi-sync', async () => {
      const w = await getWs(env, NS, 'shop');
      return condition(w, 'Ready')?.status === 'True' && condition(w, 'Degraded')?.reason === 'NoReplicaAcknowledging' ? w : undefined;
    });
    expect(ws.status!.conditions!.map((c) => c.type)).toEqual(['Ready', 'Progressing', 'Degraded', 'DatabaseReady', 'SemiSyncDegraded']);
    expect(ws.status!.database).toEqual({ primary: 'shop-mysql-1', bootstrapped: true });
  });

  it('the database managers stop with the operator', async () => {
    await operator.stop();
    expect(lifecycle).toEqual(['start', 'stop']);
  });
});
