import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { installWidgetCrd, rawGet, startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await installWidgetCrd(h);
});
afterAll(async () => {
  await h.server.close();
});

type Definitions = Record<string, { type?: string; properties?: Record<string, unknown>; 'x-kubernetes-group-version-kind'?: unknown[] }>;

describe('OpenAPI', () => {
  it('serves /openapi/v2 with a definition per kind, tagged with its group-version-kind (Argo CD reads them)', async () => {
    const { status, body } = await rawGet(h, '/openapi/v2');
    expect(status).toBe(200);
    const doc = body as { swagger: string; definitions: Definitions };
    expect(doc.swagger).toBe('2.0');
    expect(doc.definitions['io.k8s.api.apps.v1.Deployment']['x-kubernetes-group-version-kind']).toEqual([{ group: 'apps', version: 'v1', kind: 'Deployment' }]);
    expect(doc.definitions['io.k8s.api.core.v1.Pod']['x-kubernetes-group-version-kind']).toEqual([{ group: '', version: 'v1', kind: 'Pod' }]);
    expect(doc.definitions['io.k8s.api.events.v1.Event']['x-kubernetes-group-version-kind']).toEqual([{ group: 'events.k8s.io', version: 'v1', kind: 'Event' }]);
    expect(doc.definitions['dev.webstack.test.v1.Widget'].properties).toHaveProperty('spec');
  });

  it('names v3 schemas as kube does', async () => {
    const { body } = await rawGet(h, '/openapi/v3/apis/apps/v1');
    expect(Object.keys((body as { components: { schemas: Definitions } }).components.schemas)).toContain('io.k8s.api.apps.v1.Deployment');
  });
});
