import { describe, expect, it } from '@jest/globals';
import { fieldsOf, fromFieldsV1, toFieldsV1 } from '../../../src/sandbox/apiserver/fieldset.js';
import { serverSideApply, trackUpdate, type WriteContext } from '../../../src/sandbox/apiserver/managed-fields.js';
import { shapeFor } from '../../../src/sandbox/apiserver/shape.js';
import type { KubeObject } from '../../../src/sandbox/apiserver/types.js';

const ctx = (manager: string): WriteContext => ({
  manager,
  apiVersion: 'apps/v1',
  now: '2026-01-01T00:00:00Z',
  shape: shapeFor(undefined),
  includes: (f) => f !== 'status',
});

const deployment = (spec: Record<string, unknown>, labels?: Record<string, string>): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'ns', ...(labels ? { labels } : {}) },
  spec,
});

describe('field sets', () => {
  it('describes keyed list items by key and round-trips through FieldsV1', () => {
    const set = fieldsOf(deployment({ replicas: 2, template: { spec: { containers: [{ name: 'web', image: 'a' }] } } }, { app: 'web' }), shapeFor(undefined));
    const v1 = toFieldsV1(set);
    expect(v1).toEqual({
      'f:metadata': { 'f:labels': { 'f:app': {} } },
      'f:spec': {
        'f:replicas': {},
        'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:name': {}, 'f:image': {} } } } },
      },
    });
    expect([...fromFieldsV1(v1).keys()].sort()).toEqual([...set.keys()].sort());
  });
});

describe('field sets of built-in kinds, as kube-apiserver records them', () => {
  it('owns a label selector as one field, and keys ports by number and (defaulted) protocol', () => {
    const set = fieldsOf(deployment({
      selector: { matchLabels: { app: 'web' } },
      template: { spec: { containers: [{ name: 'web', ports: [{ containerPort: 8080, name: 'http' }] }] } },
    }), shapeFor(undefined));
    expect(toFieldsV1(set)['f:spec']).toEqual({
      'f:selector': {},
      'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': {
        '.': {}, 'f:name': {}, 'f:ports': { 'k:{"containerPort":8080,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:name': {} } },
      } } } },
    });
  });

  it('re-applying a port without its protocol updates the stored (defaulted) port instead of adding one', () => {
    const spec = (name: string) => ({ template: { spec: { containers: [{ name: 'web', ports: [{ containerPort: 8080, name }] }] } } });
    const ports = (o: KubeObject) => (o.spec as { template: { spec: { containers: { ports: Record<string, unknown>[] }[] } } }).template.spec.containers[0].ports;
    const live = serverSideApply(undefined, deployment(spec('http')), ctx('op'), { force: false });
    ports(live)[0].protocol = 'TCP';
    const out = serverSideApply(live, deployment(spec('web')), ctx('op'), { force: false });
    expect(ports(out)).toEqual([{ containerPort: 8080, name: 'web', protocol: 'TCP' }]);
  });
});

describe('server-side apply', () => {
  it('records the applier as owner of what it sent', () => {
    const out = serverSideApply(undefined, deployment({ replicas: 2 }), ctx('op'), { force: false });
    expect(out.metadata.managedFields).toEqual([
      expect.objectContaining({ manager: 'op', operation: 'Apply', apiVersion: 'apps/v1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } }),
    ]);
  });

  it('refuses to change a field another manager owns, naming manager and field, unless forced', () => {
    const first = serverSideApply(undefined, deployment({ replicas: 2, paused: false }), ctx('a'), { force: false });
    expect(() => serverSideApply(first, deployment({ replicas: 3 }), ctx('b'), { force: false })).toThrow(
      'Apply failed with 1 conflict: conflict with "a" using apps/v1: .spec.replicas',
    );
    const forced = serverSideApply(first, deployment({ replicas: 3 }), ctx('b'), { force: true });
    expect((forced.spec as { replicas: number }).replicas).toBe(3);
    const owners = Object.fromEntries((forced.metadata.managedFields ?? []).map((m) => [m.manager, m.fieldsV1]));
    expect(owners).toEqual({ a: { 'f:spec': { 'f:paused': {} } }, b: { 'f:spec': { 'f:replicas': {} } } });
  });

  it('shares ownership when the value is the same, so no conflict', () => {
    const first = serverSideApply(undefined, deployment({ replicas: 2 }), ctx('a'), { force: false });
    const second = serverSideApply(first, deployment({ replicas: 2 }), ctx('b'), { force: false });
    expect(second.metadata.managedFields?.map((m) => m.manager)).toEqual(['a', 'b']);
  });

  it('removes fields a manager stops sending unless someone else owns them', () => {
    const c = (containers: unknown[]) => deployment({ template: { spec: { containers } } });
    let live = serverSideApply(undefined, c([{ name: 'web', image: 'w' }, { name: 'side', image: 's' }]), ctx('a'), { force: false });
    live = serverSideApply(live, deployment({ replicas: 1 }), ctx('b'), { force: false });
    live = serverSideApply(live, c([{ name: 'web', image: 'w' }]), ctx('a'), { force: false });
    expect(((live.spec as { template: { spec: { containers: { name: string }[] } } }).template.spec.containers).map((x) => x.name)).toEqual(['web']);
    expect((live.spec as { replicas: number }).replicas).toBe(1);
    live = serverSideApply(live, deployment({ replicas: 1 }, { keep: 'me' }), ctx('a'), { force: false });
    expect((live.spec as Record<string, unknown>).template).toBeUndefined();
    expect((live.spec as { replicas: number }).replicas).toBe(1);
  });

  it('lets an update take fields over from an applier (then the applier conflicts)', () => {
    const applied = serverSideApply(undefined, deployment({ replicas: 2 }), ctx('a'), { force: false });
    const edited = deployment({ replicas: 5 });
    edited.metadata.managedFields = applied.metadata.managedFields;
    trackUpdate(applied, edited, ctx('kubectl-edit'));
    expect(edited.metadata.managedFields?.map((m) => `${m.manager}:${m.operation}`)).toEqual(['kubectl-edit:Update']);
    expect(() => serverSideApply(edited, deployment({ replicas: 2 }), ctx('a'), { force: false })).toThrow(/conflict with "kubectl-edit"/);
  });
});

describe('updates of custom resources', () => {
  const schema = { type: 'object', properties: { spec: { type: 'object', properties: { db: { type: 'object', properties: { size: { type: 'string' }, engine: { type: 'string' } } }, tags: { type: 'object', 'x-kubernetes-map-type': 'atomic', additionalProperties: { type: 'string' } }, hosts: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object', properties: { name: { type: 'string' } } } } } } } };
  const crCtx = (manager: string): WriteContext => ({ ...ctx(manager), apiVersion: 'test/v1', shape: shapeFor(schema) });
  const cr = (spec: Record<string, unknown>, annotations?: Record<string, string>): KubeObject => ({ apiVersion: 'test/v1', kind: 'T', metadata: { name: 't', ...(annotations ? { annotations } : {}) }, spec });

  it('owns the maps and keyed lists an update creates as such, as kube records them', () => {
    const created = cr({ db: { size: '1Gi' }, tags: { a: 'b' }, hosts: [{ name: 'a' }] }, { note: 'x' });
    trackUpdate(undefined, created, crCtx('kubectl'));
    expect(created.metadata.managedFields![0].fieldsV1).toEqual({
      'f:metadata': { 'f:annotations': { '.': {}, 'f:note': {} } },
      'f:spec': { '.': {}, 'f:db': { '.': {}, 'f:size': {} }, 'f:tags': {}, 'f:hosts': { '.': {}, 'k:{"name":"a"}': { '.': {}, 'f:name': {} } } },
    });
  });

  it('a change inside a map moves only that field; a changed atomic map moves whole', () => {
    const created = cr({ db: { size: '1Gi', engine: 'mariadb' }, tags: { a: 'b' } });
    trackUpdate(undefined, created, crCtx('kubectl'));
    const updated = { ...cr({ db: { size: '2Gi', engine: 'mariadb' }, tags: { a: 'c' } }), metadata: created.metadata };
    trackUpdate(created, updated, crCtx('editor'));
    const owners = Object.fromEntries(updated.metadata.managedFields!.map((m) => [m.manager, m.fieldsV1]));
    expect(owners).toEqual({
      kubectl: { 'f:spec': { '.': {}, 'f:db': { '.': {}, 'f:engine': {} } } },
      editor: { 'f:spec': { 'f:db': { 'f:size': {} }, 'f:tags': {} } },
    });
  });
});
