import { readFileSync, existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { createCrd, eventually, failure, installWidgetCrd, rawGet, rawRequest, startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await installWidgetCrd(h);
});
afterAll(async () => {
  await h.server.close();
});

const group = 'test.webstack.dev';
const widget = (name: string, spec: Record<string, unknown>) => ({ apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name }, spec });
const create = (name: string, spec: Record<string, unknown>) =>
  h.custom.createNamespacedCustomObject({ group, version: 'v1', namespace: 'default', plural: 'widgets', body: widget(name, spec) }) as Promise<{ metadata: { resourceVersion: string; generation: number }; spec: Record<string, unknown>; status?: unknown }>;
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

describe('CustomResourceDefinitions registered at run time', () => {
  it('appear in discovery and OpenAPI, and are reported Established', async () => {
    const list = (await rawGet(h, `/apis/${group}/v1`)).body as { resources: { name: string; shortNames?: string[]; categories?: string[] }[] };
    expect(list.resources.map((r) => r.name)).toEqual(['widgets', 'widgets/status']);
    expect(list.resources[0]).toMatchObject({ shortNames: ['wd'], categories: ['all'] });
    const groups = (await rawGet(h, '/apis')).body as { groups: { name: string }[] };
    expect(groups.groups.map((g) => g.name)).toContain(group);
    const crd = await h.extensions.readCustomResourceDefinition({ name: `widgets.${group}` });
    expect(crd.status!.conditions!.find((c) => c.type === 'Established')!.status).toBe('True');
    expect(crd.status!.storedVersions).toEqual(['v1']);
    const index = (await rawGet(h, '/openapi/v3')).body as { paths: Record<string, unknown> };
    expect(Object.keys(index.paths)).toContain(`apis/${group}/v1`);
  });

  it('serves objects with defaults applied and unknown fields pruned (with a warning)', async () => {
    const res = await rawRequest(h, 'POST', `/apis/${group}/v1/namespaces/default/widgets`, widget('w-defaults', { color: 'red', parts: [{ name: 'a' }], junk: true }));
    expect(res.status).toBe(201);
    expect(res.body.spec).toEqual({ color: 'red', size: 1, parts: [{ name: 'a', count: 1 }] });
    expect(res.headers.get('warning')).toContain('unknown field \\"spec.junk\\"');
  });

  it('rejects unknown fields with fieldValidation=Strict', async () => {
    const res = await rawRequest(h, 'POST', `/apis/${group}/v1/namespaces/default/widgets?fieldValidation=Strict`, widget('w-strict', { color: 'red', junk: true }));
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('strict decoding error: unknown field "spec.junk"');
  });

  it('refuses an invalid object with 422 Invalid naming the field, with causes', async () => {
    const err = await failure(create('w-bad', { color: 'pink', size: 0 }));
    expect(err.code).toBe(422);
    expect(err.reason).toBe('Invalid');
    expect(err.message).toBe(
      'Widget.test.webstack.dev "w-bad" is invalid: [spec.color: Unsupported value: "pink": supported values: "red", "green", "blue", spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1]',
    );
    expect(err.details!.causes).toEqual([
      { reason: 'FieldValueNotSupported', message: 'Unsupported value: "pink": supported values: "red", "green", "blue"', field: 'spec.color' },
      { reason: 'FieldValueInvalid', message: 'Invalid value: 0: spec.size in body should be greater than or equal to 1', field: 'spec.size' },
    ]);
  });

  it('enforces CEL rules, including transition rules on update', async () => {
    const err = await failure(create('w-cel', { color: 'red', size: 5, maxSize: 2 }));
    expect(err.details!.causes).toEqual([{ reason: 'FieldValueInvalid', message: 'Invalid value: "object": size must not exceed maxSize', field: 'spec.size' }]);
    await create('w-cel', { color: 'red' });
    const immutable = await failure(h.custom.patchNamespacedCustomObject({ group, version: 'v1', namespace: 'default', plural: 'widgets', name: 'w-cel', body: { spec: { color: 'blue' } } }, mergePatch));
    expect(immutable.message).toContain('spec: Invalid value: "object": color is immutable');
  });

  it('status subresource: generation follows spec only, status goes through /status', async () => {
    const w = await create('w-status', { color: 'green' });
    expect(w.metadata.generation).toBe(1);
    const withStatus = (await h.custom.patchNamespacedCustomObjectStatus(
      { group, version: 'v1', namespace: 'default', plural: 'widgets', name: 'w-status', body: { status: { observedGeneration: 1, conditions: [{ type: 'Ready', status: 'True' }] }, spec: { size: 7 } } },
      mergePatch,
    )) as typeof w;
    expect(withStatus.metadata.generation).toBe(1);
    expect(withStatus.spec.size).toBe(1);
    expect(withStatus.status).toEqual({ observedGeneration: 1, conditions: [{ type: 'Ready', status: 'True' }] });
    const invalidStatus = await failure(h.custom.patchNamespacedCustomObjectStatus({ group, version: 'v1', namespace: 'default', plural: 'widgets', name: 'w-status', body: { status: { observedGeneration: 'x' } } }, mergePatch));
    expect(invalidStatus.details!.causes![0].field).toBe('status.observedGeneration');
    const specChange = (await h.custom.patchNamespacedCustomObject({ group, version: 'v1', namespace: 'default', plural: 'widgets', name: 'w-status', body: { spec: { size: 2 }, status: { observedGeneration: 99 } } }, mergePatch)) as typeof w;
    expect(specChange.metadata.generation).toBe(2);
    expect(specChange.status).toEqual(withStatus.status);
    const labelOnly = (await h.custom.patchNamespacedCustomObject({ group, version: 'v1', namespace: 'default', plural: 'widgets', name: 'w-status', body: { metadata: { labels: { a: 'b' } } } }, mergePatch)) as typeof w;
    expect(labelOnly.metadata.generation).toBe(2);
  });

  it('selects by the CRD selectableFields', async () => {
    const green = (await h.custom.listNamespacedCustomObject({ group, version: 'v1', namespace: 'default', plural: 'widgets', fieldSelector: 'spec.color=green' })) as { items: { metadata: { name: string } }[] };
    expect(green.items.map((i) => i.metadata.name)).toEqual(['w-status']);
    expect((await failure(h.custom.listNamespacedCustomObject({ group, version: 'v1', namespace: 'default', plural: 'widgets', fieldSelector: 'spec.size=1' }))).code).toBe(400);
  });

  it('rejects strategic merge patch for custom resources (415), as kube does', async () => {
    const res = await rawRequest(h, 'PATCH', `/apis/${group}/v1/namespaces/default/widgets/w-status`, { spec: { size: 3 } }, 'application/strategic-merge-patch+json');
    expect(res.status).toBe(415);
  });

  it('returns a Table with the printer columns when asked', async () => {
    const res = await rawGet(h, `/apis/${group}/v1/namespaces/default/widgets/w-status`, { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' });
    const table = res.body as { kind: string; columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] };
    expect(table.kind).toBe('Table');
    expect(table.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Size', 'Ready', 'Age']);
    expect(table.rows[0].cells.slice(0, 3)).toEqual(['w-status', 2, 'True']);
  });

  it('stops serving the resource, and drops its objects, when the CRD is deleted', async () => {
    const crd = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'gadgets.test.webstack.dev' }, spec: { group, scope: 'Cluster', names: { plural: 'gadgets', kind: 'Gadget' }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }] } };
    await createCrd(h, crd);
    await h.custom.createClusterCustomObject({ group, version: 'v1', plural: 'gadgets', body: { apiVersion: `${group}/v1`, kind: 'Gadget', metadata: { name: 'g' }, anything: { goes: 1 } } });
    expect(await h.custom.getClusterCustomObject({ group, version: 'v1', plural: 'gadgets', name: 'g' })).toMatchObject({ anything: { goes: 1 } });
    const watching = await fetch(`${h.server.url}/apis/${group}/v1/gadgets?watch=true`);
    const streamEnded = watching.text();
    await h.extensions.deleteCustomResourceDefinition({ name: 'gadgets.test.webstack.dev' });
    expect(await streamEnded).toContain('"ADDED"');
    await eventually(async () => (await rawGet(h, `/apis/${group}/v1/gadgets`)).status === 404);
    const list = (await rawGet(h, `/apis/${group}/v1`)).body as { resources: { name: string }[] };
    expect(list.resources.map((r) => r.name)).not.toContain('gadgets');
  });

  it('a CRD being deleted waits for its objects and their finalizers, and takes no new ones', async () => {
    const crd = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'sprockets.test.webstack.dev' }, spec: { group, scope: 'Namespaced', names: { plural: 'sprockets', kind: 'Sprocket' }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }] } };
    await createCrd(h, crd);
    const created = await h.extensions.readCustomResourceDefinition({ name: 'sprockets.test.webstack.dev' });
    expect(created.metadata!.finalizers).toEqual(['customresourcecleanup.apiextensions.k8s.io']);
    const sprocket = (name: string) => ({ apiVersion: `${group}/v1`, kind: 'Sprocket', metadata: { name, finalizers: ['test.webstack.dev/cleanup'] } });
    await h.custom.createNamespacedCustomObject({ group, version: 'v1', namespace: 'default', plural: 'sprockets', body: sprocket('s1') });
    await h.extensions.deleteCustomResourceDefinition({ name: 'sprockets.test.webstack.dev' });
    const held = (await eventually(async () => {
      const s = (await h.custom.getNamespacedCustomObject({ group, version: 'v1', namespace: 'default', plural: 'sprockets', name: 's1' })) as { metadata: { deletionTimestamp?: string } };
      return s.metadata.deletionTimestamp ? s : false;
    })) as { metadata: { deletionTimestamp?: string } };
    expect(held.metadata.deletionTimestamp).toEqual(expect.any(String));
    expect((await h.extensions.readCustomResourceDefinition({ name: 'sprockets.test.webstack.dev' })).metadata!.deletionTimestamp).toBeInstanceOf(Date);
    expect((await failure(h.custom.createNamespacedCustomObject({ group, version: 'v1', namespace: 'default', plural: 'sprockets', body: sprocket('s2') }))).code).toBe(405);
    await h.custom.patchNamespacedCustomObject({ group, version: 'v1', namespace: 'default', plural: 'sprockets', name: 's1', body: { metadata: { finalizers: null } } }, mergePatch);
    await eventually(async () => (await failure(h.extensions.readCustomResourceDefinition({ name: 'sprockets.test.webstack.dev' }))).code === 404);
  });

  it('serves every served version of one resource from the same objects', async () => {
    const schema = { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { n: { type: 'integer' } } } } } };
    await createCrd(h, { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'dials.test.webstack.dev' }, spec: { group, scope: 'Namespaced', names: { plural: 'dials', kind: 'Dial' }, versions: [{ name: 'v1beta1', served: true, storage: false, schema }, { name: 'v1', served: true, storage: true, schema }, { name: 'v0', served: false, storage: false, schema }] } });
    await h.custom.createNamespacedCustomObject({ group, version: 'v1beta1', namespace: 'default', plural: 'dials', body: { apiVersion: `${group}/v1beta1`, kind: 'Dial', metadata: { name: 'd' }, spec: { n: 1 } } });
    const v1 = (await h.custom.getNamespacedCustomObject({ group, version: 'v1', namespace: 'default', plural: 'dials', name: 'd' })) as { apiVersion: string; spec: { n: number } };
    expect(v1).toMatchObject({ apiVersion: `${group}/v1`, spec: { n: 1 } });
    expect((await rawGet(h, `/apis/${group}/v0/namespaces/default/dials`)).status).toBe(404);
    const apiGroup = (await rawGet(h, `/apis/${group}`)).body as { versions: { version: string }[]; preferredVersion: { version: string } };
    expect(apiGroup.versions.map((v) => v.version)).toEqual(['v1', 'v1beta1']);
    expect(apiGroup.preferredVersion.version).toBe('v1');
  });

  it('refuses a CRD whose name does not match its names and group', async () => {
    const err = await failure(h.extensions.createCustomResourceDefinition({ body: { metadata: { name: 'wrong' }, spec: { group, scope: 'Namespaced', names: { plural: 'things', kind: 'Thing' }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }] } } }));
    expect(err.code).toBe(422);
    expect(err.details!.causes![0].field).toBe('metadata.name');
  });
});

const webstackCrd = new URL('../../../crds/webstack.yaml', import.meta.url).pathname;
(existsSync(webstackCrd) ? describe : describe.skip)('the WebStack CRD', () => {
  it('is served, defaults a minimal stack and rejects a bad field', async () => {
    await createCrd(h, parse(readFileSync(webstackCrd, 'utf8')));
    const ok = (await h.custom.createNamespacedCustomObject({ group: 'webstack.dev', version: 'v1alpha1', namespace: 'default', plural: 'webstacks', body: { apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStack', metadata: { name: 'shop' }, spec: { apps: [{ name: 'web', image: 'web:1' }] } } })) as { spec: { apps: { replicas?: number }[] } };
    expect(ok.spec.apps[0].replicas).toEqual(expect.any(Number));
    const bad = await failure(h.custom.createNamespacedCustomObject({ group: 'webstack.dev', version: 'v1alpha1', namespace: 'default', plural: 'webstacks', body: { apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStack', metadata: { name: 'bad' }, spec: { apps: [{ name: 'web', image: 'web:1', replicas: -1 }] } } }));
    expect(bad.code).toBe(422);
    expect(bad.details!.causes!.map((c) => c.field)).toContain('spec.apps[0].replicas');
  });
});
