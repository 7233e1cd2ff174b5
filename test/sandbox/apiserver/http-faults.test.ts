import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { failure, startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.server.close();
});

describe('fault injection', () => {
  it('fails the next N matching requests with 409 or 500, then serves normally', async () => {
    h.server.faults.failNext({ verb: 'create', resource: 'configmaps', code: 500, count: 2 });
    const body = { metadata: { name: 'f1' } };
    const first = await failure(h.core.createNamespacedConfigMap({ namespace: 'default', body }));
    expect(first).toMatchObject({ code: 500, reason: 'InternalError' });
    expect((await failure(h.core.createNamespacedConfigMap({ namespace: 'default', body }))).code).toBe(500);
    await h.core.createNamespacedConfigMap({ namespace: 'default', body });
  });

  it('only matches the given verb and resource', async () => {
    h.server.faults.failNext({ verb: 'update', resource: 'configmaps', code: 409 });
    await h.core.createNamespacedSecret({ namespace: 'default', body: { metadata: { name: 'unaffected' } } });
    const cm = await h.core.readNamespacedConfigMap({ namespace: 'default', name: 'f1' });
    expect(await failure(h.core.replaceNamespacedConfigMap({ namespace: 'default', name: 'f1', body: cm }))).toMatchObject({ code: 409, reason: 'Conflict' });
    await h.core.replaceNamespacedConfigMap({ namespace: 'default', name: 'f1', body: cm });
  });

  it('matches resource.group and status subresources', async () => {
    h.server.faults.failNext({ resource: 'deployments.apps', code: 500 });
    expect((await failure(h.apps.listNamespacedDeployment({ namespace: 'default' }))).code).toBe(500);
    await h.apps.listNamespacedDeployment({ namespace: 'default' });
  });
});
