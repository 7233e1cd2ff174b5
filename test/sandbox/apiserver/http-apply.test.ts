import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PatchStrategy, type KubernetesObject, type V1Deployment } from '@kubernetes/client-node';
import { failure, installWidgetCrd, startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await installWidgetCrd(h);
});
afterAll(async () => {
  await h.server.close();
});

const apply = (body: KubernetesObject | V1Deployment | { apiVersion: string; kind: string; metadata: { name: string; namespace: string }; spec: unknown }, manager: string, force = false) =>
  h.objects.patch(body as KubernetesObject, undefined, undefined, manager, force, PatchStrategy.ServerSideApply);

const deployment = (containers: { name: string; image: string }[], replicas?: number): V1Deployment => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'ssa', namespace: 'default' },
  spec: {
    ...(replicas === undefined ? {} : { replicas }),
    selector: { matchLabels: { app: 'ssa' } },
    template: { metadata: { labels: { app: 'ssa' } }, spec: { containers } },
  },
});

describe('server-side apply over HTTP', () => {
  it('creates on first apply and records the manager in managedFields', async () => {
    const out = (await apply(deployment([{ name: 'web', image: 'web:1' }], 2), 'operator')) as V1Deployment;
    expect(out.spec!.replicas).toBe(2);
    expect(out.metadata!.managedFields!.map((m) => [m.manager, m.operation])).toEqual([['operator', 'Apply']]);
    expect(out.metadata!.managedFields![0].fieldsV1).toMatchObject({ 'f:spec': { 'f:replicas': {} } });
  });

  it('re-applying the same configuration does not change the resourceVersion', async () => {
    const a = (await apply(deployment([{ name: 'web', image: 'web:1' }], 2), 'operator')) as V1Deployment;
    const b = (await apply(deployment([{ name: 'web', image: 'web:1' }], 2), 'operator')) as V1Deployment;
    expect(b.metadata!.resourceVersion).toBe(a.metadata!.resourceVersion);
  });

  it('409 on a conflicting field without force, naming the manager and field; force takes it over', async () => {
    const err = await failure(apply(deployment([{ name: 'web', image: 'web:1' }], 5), 'autoscaler'));
    expect(err.code).toBe(409);
    expect(err.message).toBe('Apply failed with 1 conflict: conflict with "operator" using apps/v1: .spec.replicas');
    expect(err.details!.causes).toEqual([{ reason: 'FieldManagerConflict', message: 'conflict with "operator" using apps/v1', field: '.spec.replicas' }]);
    const forced = (await apply({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'ssa', namespace: 'default' }, spec: { replicas: 5 } } as V1Deployment, 'autoscaler', true)) as V1Deployment;
    expect(forced.spec!.replicas).toBe(5);
    const owners = Object.fromEntries(forced.metadata!.managedFields!.map((m) => [m.manager, JSON.stringify(m.fieldsV1)]));
    expect(owners.autoscaler).toContain('f:replicas');
    expect(owners.operator).not.toContain('f:replicas');
  });

  it('removes fields (and list items) the manager stops sending', async () => {
    await apply(deployment([{ name: 'web', image: 'web:1' }, { name: 'sidecar', image: 'side:1' }]), 'operator');
    const out = (await apply(deployment([{ name: 'web', image: 'web:2' }]), 'operator')) as V1Deployment;
    expect(out.spec!.template.spec!.containers.map((c) => `${c.name}=${c.image}`)).toEqual(['web=web:2']);
    expect(out.spec!.replicas).toBe(5);
  });

  it('applies to custom resources and validates the result', async () => {
    const w = { apiVersion: 'test.webstack.dev/v1', kind: 'Widget', metadata: { name: 'applied', namespace: 'default' }, spec: { color: 'red', tags: ['a'] } };
    const out = (await apply(w, 'operator')) as { spec: Record<string, unknown> };
    expect(out.spec).toEqual({ color: 'red', size: 1, tags: ['a'] });
    const bad = await failure(apply({ ...w, spec: { color: 'red', size: -1 } }, 'operator'));
    expect(bad.code).toBe(422);
    expect(bad.details!.causes![0].field).toBe('spec.size');
  });

  it('applies status through the status subresource only', async () => {
    const res = await fetch(`${h.server.url}/apis/test.webstack.dev/v1/namespaces/default/widgets/applied/status?fieldManager=operator`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/apply-patch+yaml' },
      body: 'apiVersion: test.webstack.dev/v1\nkind: Widget\nmetadata: {name: applied, namespace: default}\nspec: {color: blue}\nstatus:\n  observedGeneration: 1\n',
    });
    const body = (await res.json()) as { spec: { color: string }; status: unknown; metadata: { managedFields: { manager: string; subresource?: string }[] } };
    expect(res.status).toBe(200);
    expect(body.spec.color).toBe('red');
    expect(body.status).toEqual({ observedGeneration: 1 });
    expect(body.metadata.managedFields).toContainEqual(expect.objectContaining({ manager: 'operator', subresource: 'status' }));
  });

  it('requires a fieldManager', async () => {
    const res = await fetch(`${h.server.url}/apis/apps/v1/namespaces/default/deployments/ssa`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/apply-patch+yaml' },
      body: JSON.stringify(deployment([{ name: 'web', image: 'web:1' }])),
    });
    expect(res.status).toBe(400);
  });
});
