/** Injected API failures: the operator converges anyway, with no duplicate or missing child. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { WEBSTACK } from '../../src/controller/resources.js';
import type { WebStack } from '../../src/api/types.js';
import type { Operator } from '../../src/controller/operator.js';
import { renderStack } from '../../src/render/stack.js';
import { newDatabaseCredentials } from '../../src/render/credentials.js';
import { newAdminToken } from '../../src/render/haproxy-weights.js';
import { FIXED_CERTIFICATES } from '../render/fixtures.js';
import type { WorkloadSimulator } from '../support/workload-simulator.js';
import { condition, describeObjects, editStack, getWs, stackObjects, startEnv, startOperator, startSimulator, webStack, type Env,  } from './harness.js';
import { eventually } from '../support/eventually.js';

const NS = 'faults';
let env: Env;
let operator: Operator;
let sim: WorkloadSimulator;

beforeAll(async () => {
  env = await startEnv([NS]);
  ({ operator } = startOperator(env, { timings: { resyncPeriodMs: 60_000 } }));
  sim = startSimulator(env);
  await eventually('operator caches synced', () => operator.caches.hasSynced());
});

afterAll(async () => {
  await sim?.stop();
  await operator?.stop();
  await env?.close();
});

const spec = { apps: [{ name: 'web', image: 'ghcr.io/acme/shop:1.4' }, { name: 'api', image: 'ghcr.io/acme/api:2' }] };

/** The children the stack should have: exactly what rendering says, by kind and name. */
function expectedChildren(ws: WebStack): string[] {
  const rendered = renderStack(ws, { credentials: newDatabaseCredentials((n) => randomBytes(n)), haproxyAdminToken: newAdminToken((n) => randomBytes(n)),
    certificates: FIXED_CERTIFICATES });
  return rendered.map((o) => `${o.kind}/${o.metadata.name}`).sort();
}

async function converged(name: string): Promise<void> {
  const ws = await eventually(`${name} Ready`, async () => {
    const w = await getWs(env, NS, name);
    return w && w.status?.observedGeneration === w.metadata.generation && condition(w, 'Ready')?.status === 'True' ? w : undefined;
  }, 60_000);
  const objs = await stackObjects(env, NS, name);
  expect(describeObjects(objs)).toEqual(expectedChildren(ws));
  for (const o of objs) expect((o.metadata.ownerReferences as { uid: string }[]).map((r) => r.uid)).toEqual([ws.metadata.uid]);
}

describe('faults', () => {
  it('500s on applies and 409s on status writes: retried with backoff until converged', async () => {
    const errorsBefore = (await operator.metrics.reconcileErrors.get()).values[0]?.value ?? 0;
    env.server.faults.failNext({ verb: 'patch', resource: 'deployments', code: 500, count: 3 });
    env.server.faults.failNext({ verb: 'patch', resource: 'configmaps', code: 409, count: 2 });
    env.server.faults.failNext({ verb: 'patch', resource: 'webstacks/status', code: 409, count: 2 });
    await env.client.create(WEBSTACK, NS, webStack('a', spec, NS));
    await converged('a');
    const errorsAfter = (await operator.metrics.reconcileErrors.get()).values[0]?.value ?? 0;
    // Applies of one kind run together, so the injected faults fail at least two reconciles (ConfigMaps, then Deployments).
    expect(errorsAfter - errorsBefore).toBeGreaterThanOrEqual(2);
  });

  it('a 500 on the informers\' list and watch: they restart and still see new stacks', async () => {
    env.server.faults.failNext({ verb: 'watch', resource: 'webstacks', code: 500, count: 2 });
    env.server.faults.failNext({ verb: 'list', resource: 'webstacks', code: 500, count: 1 });
    env.server.faults.dropWatches();
    await env.client.create(WEBSTACK, NS, webStack('b', spec, NS));
    await converged('b');
  });

  it('a dropped watch: changes made while it was down are still seen', async () => {
    env.server.faults.dropWatches();
    await env.client.create(WEBSTACK, NS, webStack('c', spec, NS));
    await converged('c');
  });

  it('a compacted history (410 Gone on re-watch): the informers relist and converge', async () => {
    const listsBefore = operator.client.counts.byVerb.list ?? 0;
    env.server.faults.compact();
    env.server.faults.dropWatches();
    await editStack(env, NS, 'a', (ws) => { ws.spec.apps = ws.spec.apps.filter((x) => x.name !== 'api'); });
    await env.client.create(WEBSTACK, NS, webStack('d', spec, NS));
    await eventually('tier api of a removed', async () => !describeObjects(await stackObjects(env, NS, 'a')).includes('Deployment/a-api'));
    await converged('a');
    // Every informer (WebStack + 7 owned kinds) had to list again: its resourceVersion was gone.
    expect((operator.client.counts.byVerb.list ?? 0) - listsBefore).toBeGreaterThanOrEqual(8);
    await converged('d');
    await converged('b');
    await converged('c');
  });
});
