import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PatchStrategy, setHeaderOptions, type V1ConfigMap, type V1Deployment } from '@kubernetes/client-node';
import { failure, rawGet, rawRequest, startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.server.close();
});

const cm = (name: string, data: Record<string, string> = { k: 'v' }, labels?: Record<string, string>): V1ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, ...(labels ? { labels } : {}) },
  data,
});

const deployment = (name: string, replicas = 1): V1Deployment => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, labels: { app: name } },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'web:1', env: [{ name: 'A', value: '1' }] }] } },
  },
});

describe('discovery', () => {
  it('serves /api, /apis, resource lists with verbs and short names, and /version', async () => {
    const core = (await rawGet(h, '/api')).body as { versions: string[] };
    expect(core.versions).toEqual(['v1']);
    const groups = (await rawGet(h, '/apis')).body as { groups: { name: string }[] };
    expect(groups.groups.map((g) => g.name)).toEqual(expect.arrayContaining(['apps', 'policy', 'networking.k8s.io', 'coordination.k8s.io', 'apiextensions.k8s.io', 'events.k8s.io', 'rbac.authorization.k8s.io', 'admissionregistration.k8s.io']));
    const v1 = (await rawGet(h, '/api/v1')).body as { resources: { name: string; namespaced: boolean; shortNames?: string[]; verbs: string[] }[] };
    const pods = v1.resources.find((r) => r.name === 'pods')!;
    expect(pods).toMatchObject({ namespaced: true, shortNames: ['po'] });
    expect(pods.verbs).toEqual(expect.arrayContaining(['create', 'get', 'list', 'watch', 'patch', 'update', 'delete']));
    expect(v1.resources.map((r) => r.name)).toEqual(expect.arrayContaining(['pods/status', 'namespaces', 'services', 'endpoints', 'configmaps', 'secrets', 'events', 'serviceaccounts', 'persistentvolumeclaims']));
    expect(v1.resources.find((r) => r.name === 'namespaces')!.namespaced).toBe(false);
    const version = (await rawGet(h, '/version')).body as { major: string; minor: string };
    expect(version).toMatchObject({ major: '1', minor: '35' });
    expect((await rawGet(h, '/apis/nope/v1')).status).toBe(404);
  });

  it('publishes OpenAPI v3 with fieldValidation on PATCH, so kubectl validates on the server', async () => {
    const index = (await rawGet(h, '/openapi/v3')).body as { paths: Record<string, { serverRelativeURL: string }> };
    const apps = (await rawGet(h, index.paths['apis/apps/v1'].serverRelativeURL)).body as { paths: Record<string, { patch?: { parameters: { name: string }[] } }> };
    const patch = apps.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch!;
    expect(patch.parameters.map((p) => p.name)).toContain('fieldValidation');
  });

  it('has namespaces default and kube-system at start', async () => {
    const list = await h.core.listNamespace();
    expect(list.items.map((n) => n.metadata!.name)).toEqual(expect.arrayContaining(['default', 'kube-system']));
    expect(list.items[0].status?.phase).toBe('Active');
  });
});

describe('create, get, list, update, delete', () => {
  it('creates with uid, creationTimestamp and a resourceVersion; a second create is 409 AlreadyExists', async () => {
    const created = await h.core.createNamespacedConfigMap({ namespace: 'default', body: cm('c1') });
    expect(created.metadata!.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata!.creationTimestamp).toBeInstanceOf(Date);
    expect(typeof created.metadata!.resourceVersion).toBe('string');
    const again = await failure(h.core.createNamespacedConfigMap({ namespace: 'default', body: cm('c1') }));
    expect(again).toMatchObject({ code: 409, reason: 'AlreadyExists', message: 'configmaps "c1" already exists' });
    const got = await h.core.readNamespacedConfigMap({ namespace: 'default', name: 'c1' });
    expect(got.data).toEqual({ k: 'v' });
    expect(await failure(h.core.readNamespacedConfigMap({ namespace: 'default', name: 'nope' }))).toMatchObject({ code: 404, reason: 'NotFound' });
  });

  it('refuses objects in a namespace that does not exist', async () => {
    expect(await failure(h.core.createNamespacedConfigMap({ namespace: 'ghost', body: cm('x') }))).toMatchObject({ code: 404, message: 'namespaces "ghost" not found' });
  });

  it('refuses an invalid name with 422 naming metadata.name', async () => {
    const err = await failure(h.core.createNamespacedConfigMap({ namespace: 'default', body: cm('Not_Valid') }));
    expect(err).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(err.message).toContain('ConfigMap "Not_Valid" is invalid: metadata.name: Invalid value: "Not_Valid": a lowercase RFC 1123 subdomain');
  });

  it('dry-run writes validate and answer but store nothing', async () => {
    const res = await rawRequest(h, 'POST', '/api/v1/namespaces/default/configmaps?dryRun=All', cm('dry'));
    expect(res.status).toBe(201);
    expect((res.body.metadata as { uid: string }).uid).toEqual(expect.any(String));
    expect((await failure(h.core.readNamespacedConfigMap({ namespace: 'default', name: 'dry' }))).code).toBe(404);
    await h.core.createNamespacedConfigMap({ namespace: 'default', body: cm('dry') });
    const patched = await rawRequest(h, 'PATCH', '/api/v1/namespaces/default/configmaps/dry?dryRun=All', { data: { k: 'dry-run' } }, 'application/merge-patch+json');
    expect((patched.body.data as Record<string, string>).k).toBe('dry-run');
    expect((await h.core.readNamespacedConfigMap({ namespace: 'default', name: 'dry' })).data).toEqual({ k: 'v' });
    await h.core.deleteNamespacedConfigMap({ namespace: 'default', name: 'dry', dryRun: 'All' });
    expect((await h.core.readNamespacedConfigMap({ namespace: 'default', name: 'dry' })).data).toEqual({ k: 'v' });
  });

  it('generates names from generateName', async () => {
    const created = await h.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { generateName: 'gen-' } } });
    expect(created.metadata!.name).toMatch(/^gen-[a-z0-9]{5}$/);
  });

  it('updates with optimistic concurrency: a stale resourceVersion is 409 Conflict', async () => {
    const c = await h.core.createNamespacedConfigMap({ namespace: 'default', body: cm('c2') });
    const updated = await h.core.replaceNamespacedConfigMap({ namespace: 'default', name: 'c2', body: { ...c, data: { k: 'w' } } });
    expect(updated.metadata!.resourceVersion).not.toBe(c.metadata!.resourceVersion);
    const stale = await failure(h.core.replaceNamespacedConfigMap({ namespace: 'default', name: 'c2', body: { ...c, data: { k: 'x' } } }));
    expect(stale).toMatchObject({ code: 409, reason: 'Conflict' });
    expect(stale.message).toContain('the object has been modified; please apply your changes to the latest version and try again');
  });

  it('keeps the resourceVersion on a write that changes nothing', async () => {
    const c = await h.core.createNamespacedConfigMap({ namespace: 'default', body: cm('c3') });
    const same = await h.core.replaceNamespacedConfigMap({ namespace: 'default', name: 'c3', body: c });
    expect(same.metadata!.resourceVersion).toBe(c.metadata!.resourceVersion);
    const patched = await h.core.patchNamespacedConfigMap({ namespace: 'default', name: 'c3', body: { data: { k: 'v' } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    expect(patched.metadata!.resourceVersion).toBe(c.metadata!.resourceVersion);
  });

  it('bumps generation on spec changes only', async () => {
    const d = await h.apps.createNamespacedDeployment({ namespace: 'default', body: deployment('gen') });
    expect(d.metadata!.generation).toBe(1);
    const labelled = await h.apps.patchNamespacedDeployment({ namespace: 'default', name: 'gen', body: { metadata: { labels: { extra: 'x' } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    expect(labelled.metadata!.generation).toBe(1);
    const status = await h.apps.replaceNamespacedDeploymentStatus({ namespace: 'default', name: 'gen', body: { ...labelled, status: { readyReplicas: 1 } } });
    expect(status.metadata!.generation).toBe(1);
    const scaled = await h.apps.patchNamespacedDeployment({ namespace: 'default', name: 'gen', body: { spec: { replicas: 3 } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    expect(scaled.metadata!.generation).toBe(2);
  });

  it('lists with label selectors (equality and set-based), field selectors, and limit/continue', async () => {
    for (const [name, tier] of [['l1', 'a'], ['l2', 'b'], ['l3', 'c']]) await h.core.createNamespacedConfigMap({ namespace: 'default', body: cm(name, {}, { group: 'list', tier }) });
    const names = async (args: { labelSelector?: string; fieldSelector?: string }) =>
      (await h.core.listNamespacedConfigMap({ namespace: 'default', ...args })).items.map((i) => i.metadata!.name);
    expect(await names({ labelSelector: 'group=list,tier!=b' })).toEqual(['l1', 'l3']);
    expect(await names({ labelSelector: 'group=list,tier in (b,c)' })).toEqual(['l2', 'l3']);
    expect(await names({ labelSelector: 'group=list,tier notin (a)' })).toEqual(['l2', 'l3']);
    expect(await names({ fieldSelector: 'metadata.name=l2' })).toEqual(['l2']);
    expect(await names({ fieldSelector: 'metadata.namespace=default,metadata.name!=l2', labelSelector: 'group' })).toEqual(['l1', 'l3']);
    const page1 = await h.core.listNamespacedConfigMap({ namespace: 'default', labelSelector: 'group=list', limit: 2 });
    expect(page1.items.map((i) => i.metadata!.name)).toEqual(['l1', 'l2']);
    expect(page1.metadata!.remainingItemCount).toBe(1);
    const page2 = await h.core.listNamespacedConfigMap({ namespace: 'default', labelSelector: 'group=list', limit: 2, _continue: page1.metadata!._continue });
    expect(page2.items.map((i) => i.metadata!.name)).toEqual(['l3']);
    expect(page2.metadata!._continue).toBeUndefined();
    const all = await h.core.listConfigMapForAllNamespaces({ labelSelector: 'group=list' });
    expect(all.items).toHaveLength(3);
  });

  it('accepts only the field selectors kube supports for the kind', async () => {
    const err = await failure(h.core.listNamespacedConfigMap({ namespace: 'default', fieldSelector: 'data.k=v' }));
    expect(err).toMatchObject({ code: 400, message: 'field label not supported: data.k' });
    await h.core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'fs' }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'i' }] } } });
    const pods = await h.core.listNamespacedPod({ namespace: 'default', fieldSelector: 'spec.nodeName=n1,status.phase=Pending' });
    expect(pods.items.map((p) => p.metadata!.name)).toEqual(['fs']);
  });

  it('deletes, honouring uid and resourceVersion preconditions', async () => {
    const c = await h.core.createNamespacedConfigMap({ namespace: 'default', body: cm('d1') });
    const wrongUid = await failure(h.core.deleteNamespacedConfigMap({ namespace: 'default', name: 'd1', body: { preconditions: { uid: 'not-it' } } }));
    expect(wrongUid).toMatchObject({ code: 409, reason: 'Conflict' });
    expect(wrongUid.message).toContain('Precondition failed: UID in precondition: not-it');
    expect((await failure(h.core.deleteNamespacedConfigMap({ namespace: 'default', name: 'd1', body: { preconditions: { resourceVersion: '1' } } }))).code).toBe(409);
    await h.core.deleteNamespacedConfigMap({ namespace: 'default', name: 'd1', body: { preconditions: { uid: c.metadata!.uid } } });
    expect((await failure(h.core.readNamespacedConfigMap({ namespace: 'default', name: 'd1' }))).code).toBe(404);
  });

  it('deletes a collection by label', async () => {
    for (const n of ['dc1', 'dc2']) await h.core.createNamespacedConfigMap({ namespace: 'default', body: cm(n, {}, { batch: 'gone' }) });
    await h.core.createNamespacedConfigMap({ namespace: 'default', body: cm('dc3', {}, { batch: 'kept' }) });
    await h.core.deleteCollectionNamespacedConfigMap({ namespace: 'default', labelSelector: 'batch=gone' });
    expect((await h.core.listNamespacedConfigMap({ namespace: 'default', labelSelector: 'batch' })).items.map((i) => i.metadata!.name)).toEqual(['dc3']);
  });

  it('turns stringData into base64 data for Secrets, and defaults Services', async () => {
    const s = await h.core.createNamespacedSecret({ namespace: 'default', body: { metadata: { name: 's1' }, stringData: { password: 'hunter2' } } });
    expect(s.data).toEqual({ password: Buffer.from('hunter2').toString('base64') });
    expect(s.type).toBe('Opaque');
    const svc = await h.core.createNamespacedService({ namespace: 'default', body: { metadata: { name: 'svc' }, spec: { ports: [{ port: 80 }] } } });
    expect(svc.spec!.type).toBe('ClusterIP');
    expect(svc.spec!.clusterIP).toMatch(/^10\.96\./);
  });
});

describe('events', () => {
  it('an events.k8s.io/v1 Event is also a core/v1 Event (and back), selectable by the object it regards', async () => {
    const events = await rawRequest(h, 'POST', '/apis/events.k8s.io/v1/namespaces/default/events', {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'shop.1' },
      eventTime: '2026-01-01T00:00:00.000000Z',
      reportingController: 'webstack.dev/operator',
      reportingInstance: 'op-1',
      action: 'Reconcile',
      reason: 'Failover',
      type: 'Warning',
      note: 'promoted shop-mysql-1',
      regarding: { apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStack', name: 'shop', namespace: 'default' },
    });
    expect(events.status).toBe(201);
    expect(events.body).toMatchObject({ apiVersion: 'events.k8s.io/v1', note: 'promoted shop-mysql-1', regarding: { name: 'shop' } });
    const core = await h.core.listNamespacedEvent({ namespace: 'default', fieldSelector: 'involvedObject.kind=WebStack,involvedObject.name=shop' });
    expect(core.items).toHaveLength(1);
    expect(core.items[0]).toMatchObject({ message: 'promoted shop-mysql-1', reason: 'Failover', reportingComponent: 'webstack.dev/operator', involvedObject: { name: 'shop' } });
    const rawCore = (await rawGet(h, '/api/v1/namespaces/default/events/shop.1')).body as Record<string, unknown>;
    expect([rawCore.source, rawCore.firstTimestamp, rawCore.lastTimestamp]).toEqual([{}, null, null]);
    await h.core.createNamespacedEvent({ namespace: 'default', body: { metadata: { name: 'core.1' }, involvedObject: { kind: 'Pod', name: 'p' }, reason: 'Started', message: 'hello', type: 'Normal' } });
    const viaEvents = (await rawGet(h, '/apis/events.k8s.io/v1/namespaces/default/events?fieldSelector=regarding.name%3Dp')).body as { items: { note: string; regarding: { kind: string } }[] };
    expect(viaEvents.items).toEqual([expect.objectContaining({ note: 'hello', regarding: { kind: 'Pod', name: 'p' } })]);
  });
});

describe('patches', () => {
  it('merge patch, JSON patch and strategic merge patch on a Deployment', async () => {
    await h.apps.createNamespacedDeployment({ namespace: 'default', body: deployment('p1') });
    const smp = await h.apps.patchNamespacedDeployment(
      { namespace: 'default', name: 'p1', body: { spec: { template: { spec: { containers: [{ name: 'web', image: 'web:2', env: [{ name: 'B', value: '2' }] }] } } } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    const c = smp.spec!.template.spec!.containers[0];
    expect(c.image).toBe('web:2');
    expect(c.env!.map((e) => e.name)).toEqual(['A', 'B']);
    const merge = await h.apps.patchNamespacedDeployment(
      { namespace: 'default', name: 'p1', body: { spec: { template: { spec: { containers: [{ name: 'web', image: 'web:3' }] } } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(merge.spec!.template.spec!.containers[0].env).toBeUndefined();
    const json = await h.apps.patchNamespacedDeployment(
      { namespace: 'default', name: 'p1', body: [{ op: 'replace', path: '/spec/replicas', value: 4 }, { op: 'add', path: '/metadata/labels/x', value: 'y' }] },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    expect(json.spec!.replicas).toBe(4);
    expect(json.metadata!.labels).toEqual({ app: 'p1', x: 'y' });
    const failedTest = await failure(h.apps.patchNamespacedDeployment({ namespace: 'default', name: 'p1', body: [{ op: 'test', path: '/spec/replicas', value: 9 }] }, setHeaderOptions('Content-Type', PatchStrategy.JsonPatch)));
    expect(failedTest.code).toBe(422);
  });

  it('a patch carrying a stale resourceVersion is 409', async () => {
    const c = await h.core.createNamespacedConfigMap({ namespace: 'default', body: cm('p2') });
    await h.core.patchNamespacedConfigMap({ namespace: 'default', name: 'p2', body: { data: { k: 'new' } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    const stale = await failure(h.core.patchNamespacedConfigMap({ namespace: 'default', name: 'p2', body: { metadata: { resourceVersion: c.metadata!.resourceVersion }, data: { k: 'x' } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch)));
    expect(stale.code).toBe(409);
  });

  it('rejects an unknown patch content type with 415', async () => {
    const res = await rawRequest(h, 'PATCH', '/api/v1/namespaces/default/configmaps/p2', { data: {} }, 'application/x-nonsense');
    expect(res.status).toBe(415);
  });
});

describe('built-in validation', () => {
  it('refuses a Deployment whose selector does not match its template', async () => {
    const bad = deployment('mismatch');
    bad.spec!.selector = { matchLabels: { app: 'other' } };
    const err = await failure(h.apps.createNamespacedDeployment({ namespace: 'default', body: bad }));
    expect(err.code).toBe(422);
    expect(err.message).toBe('Deployment.apps "mismatch" is invalid: spec.template.metadata.labels: Invalid value: {"app":"mismatch"}: `selector` does not match template `labels`');
  });
});

describe('immutable fields', () => {
  it('refuses a StatefulSet volumeClaimTemplates change, as kube does', async () => {
    const sts = {
      metadata: { name: 'db' },
      spec: {
        serviceName: 'db',
        selector: { matchLabels: { app: 'db' } },
        template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'db:1' }] } },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      },
    };
    await h.apps.createNamespacedStatefulSet({ namespace: 'default', body: sts });
    const grown = { ...sts, spec: { ...sts.spec, volumeClaimTemplates: [{ ...sts.spec.volumeClaimTemplates[0], spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '2Gi' } } } }] } };
    const err = await failure(h.apps.replaceNamespacedStatefulSet({ namespace: 'default', name: 'db', body: grown }));
    expect(err.code).toBe(422);
    expect(err.message).toContain("StatefulSet.apps \"db\" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas'");
    const scaled = await h.apps.patchNamespacedStatefulSet({ namespace: 'default', name: 'db', body: { spec: { replicas: 3 } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    expect(scaled.spec!.replicas).toBe(3);
  });
});

describe('scale subresource', () => {
  it('reads and writes the replica count of a Deployment as an autoscaling/v1 Scale', async () => {
    await h.apps.createNamespacedDeployment({ namespace: 'default', body: deployment('scaled', 2) });
    const scale = await h.apps.readNamespacedDeploymentScale({ namespace: 'default', name: 'scaled' });
    expect(scale.spec!.replicas).toBe(2);
    expect(scale.status!.selector).toBe('app=scaled');
    const updated = await h.apps.replaceNamespacedDeploymentScale({ namespace: 'default', name: 'scaled', body: { ...scale, spec: { replicas: 4 } } });
    expect(updated.spec!.replicas).toBe(4);
    const d = await h.apps.readNamespacedDeployment({ namespace: 'default', name: 'scaled' });
    expect(d.spec!.replicas).toBe(4);
    expect(d.metadata!.generation).toBe(2);
    expect((await failure(h.apps.replaceNamespacedDeploymentScale({ namespace: 'default', name: 'scaled', body: scale }))).code).toBe(409);
    const list = (await rawGet(h, '/apis/apps/v1')).body as { resources: { name: string; kind: string; group?: string }[] };
    expect(list.resources).toContainEqual(expect.objectContaining({ name: 'deployments/scale', kind: 'Scale', group: 'autoscaling' }));
  });
});

describe('status subresource', () => {
  it('main writes ignore status; /status writes change only status', async () => {
    await h.apps.createNamespacedDeployment({ namespace: 'default', body: { ...deployment('st'), status: { replicas: 9 } } });
    const d = await h.apps.readNamespacedDeployment({ namespace: 'default', name: 'st' });
    // kube-apiserver answers with an empty status: the one sent is dropped.
    expect(d.status).toEqual({});
    const withStatus = await h.apps.replaceNamespacedDeploymentStatus({ namespace: 'default', name: 'st', body: { ...d, spec: { ...d.spec!, replicas: 7 }, status: { readyReplicas: 2 } } });
    expect(withStatus.status).toEqual({ readyReplicas: 2 });
    expect(withStatus.spec!.replicas).toBe(1);
    const mainWrite = await h.apps.replaceNamespacedDeployment({ namespace: 'default', name: 'st', body: { ...withStatus, status: { readyReplicas: 0 } } });
    expect(mainWrite.status).toEqual({ readyReplicas: 2 });
    const patched = await h.apps.patchNamespacedDeploymentStatus({ namespace: 'default', name: 'st', body: { status: { availableReplicas: 1 } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    expect(patched.status).toEqual({ readyReplicas: 2, availableReplicas: 1 });
  });
});
