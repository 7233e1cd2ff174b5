import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { rawGet, rawRequest, startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.server.close();
});

describe('access reviews and protected namespaces', () => {
  it('answers a SelfSubjectAccessReview: allowed (no authorization here), not stored', async () => {
    const review = { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { namespace: 'default', verb: 'create', group: 'apps', resource: 'deployments' } } };
    const { status, body } = await rawRequest(h, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', review);
    expect(status).toBe(201);
    expect(body).toMatchObject({ kind: 'SelfSubjectAccessReview', spec: review.spec, status: { allowed: true } });
  });

  it('answers a SelfSubjectRulesReview with every rule, and lists only create in discovery', async () => {
    const { body } = await rawRequest(h, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', { spec: { namespace: 'default' } });
    expect(body.status).toMatchObject({ resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], incomplete: false });
    const list = (await rawGet(h, '/apis/authorization.k8s.io/v1')).body as { resources: { name: string; verbs: string[] }[] };
    expect(list.resources.map((r) => `${r.name}:${r.verbs.join(',')}`)).toEqual(['selfsubjectaccessreviews:create', 'selfsubjectrulesreviews:create']);
  });

  it.each(['default', 'kube-system', 'kube-public'])('refuses to delete namespace %s, as kube does', async (name) => {
    const { status, body } = await rawRequest(h, 'DELETE', `/api/v1/namespaces/${name}`, undefined);
    expect([status, body.reason, body.message]).toEqual([403, 'Forbidden', `namespaces "${name}" is forbidden: this namespace may not be deleted`]);
    expect((await rawGet(h, `/api/v1/namespaces/${name}`)).status).toBe(200);
  });
});
