import { describe, expect, it } from '@jest/globals';
import { applyReason, firstDifference } from '../../src/controller/diff.js';

const owner = { apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStack', name: 'shop', uid: 'u1', controller: true, blockOwnerDeletion: true };
const desired = {
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: { name: 'shop-web', namespace: 'ns', labels: { a: '1' }, ownerReferences: [owner] },
  spec: { replicas: 3, template: { spec: { containers: [{ name: 'app', image: 'x:1', env: [] }] } } },
};
interface Live {
  metadata: { labels: Record<string, string>; ownerReferences: object[] } & Record<string, unknown>;
  spec: { replicas: number | string; template: { spec: { containers: Record<string, unknown>[] } } } & Record<string, unknown>;
  status?: unknown;
}
function live(patch: (o: Live) => void): Live {
  const o = JSON.parse(JSON.stringify(desired)) as Live;
  o.metadata = { ...o.metadata, uid: 'd1', resourceVersion: '7', generation: 2, managedFields: [{}], creationTimestamp: 'x' };
  o.spec.progressDeadlineSeconds = 600;
  o.spec.template.spec.containers[0].imagePullPolicy = 'IfNotPresent';
  delete o.spec.template.spec.containers[0].env;
  o.status = { readyReplicas: 1 };
  patch(o);
  return o;
}

describe('applyReason', () => {
  it.each([
    ['server defaults, metadata and status added by others', (_: Live) => {}, undefined],
    ['someone scaled it', (o: Live) => { o.spec.replicas = 5; }, 'spec.replicas: differs'],
    ['someone changed the image', (o: Live) => { o.spec.template.spec.containers[0].image = 'y'; }, 'spec.template.spec.containers[0].image: differs'],
    ['a sidecar was added', (o: Live) => { o.spec.template.spec.containers.push({ name: 's' }); }, 'spec.template.spec.containers: 2 items, want 1'],
    ['our label removed', (o: Live) => { delete o.metadata.labels.a; }, 'metadata.labels.a: missing'],
    ['an extra label from someone else', (o: Live) => { o.metadata.labels.b = '2'; }, undefined],
    ['another owner reference added by someone else', (o: Live) => { o.metadata.ownerReferences.push({ uid: 'other', kind: 'X', name: 'x', apiVersion: 'v1' }); }, undefined],
    ['our owner reference removed', (o: Live) => { o.metadata.ownerReferences = []; }, 'metadata.ownerReferences: 0 items, want 1'],
    ['a number came back as a string', (o: Live) => { o.spec.replicas = '3'; }, undefined],
    ['annotations the deployment controller adds, where we set none', (o: Live) => { o.metadata.annotations = { 'deployment.kubernetes.io/revision': '2' }; }, undefined],
  ])('%s', (_name, mutate, want) => {
    expect(applyReason(desired, live(mutate) as unknown as Record<string, unknown>)).toBe(want);
  });

  it('a missing object must be created', () => {
    expect(applyReason(desired, undefined)).toBe('does not exist');
  });
});

describe('firstDifference', () => {
  it.each([
    [{ a: [] }, {}, undefined],
    [{ a: {} }, { a: null }, undefined],
    [{ a: false }, {}, 'a: missing'],
    [{ a: 0 }, { a: 0 }, undefined],
    [[1, 2], [2, 1], '[0]: differs'],
    [{ a: { b: 1 } }, { a: 'x' }, 'a: missing'],
  ])('%j vs %j', (d, l, want) => {
    expect(firstDifference(d, l)).toBe(want);
  });
});

describe('applyReason: fields our last apply owned and the desired object no longer sets', () => {
  const fieldsV1 = (resources: boolean) => ({
    'f:metadata': { 'f:labels': { 'f:a': {} }, 'f:ownerReferences': { 'k:{"uid":"u1"}': { '.': {}, 'f:uid': {} } } },
    'f:spec': {
      'f:replicas': {},
      'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"app"}': { '.': {}, 'f:name': {}, 'f:image': {}, 'f:env': {}, ...(resources ? { 'f:resources': { 'f:limits': { 'f:cpu': {} } } } : {}) } } } },
    },
  });
  const withManaged = (resources: boolean, manager = 'webstack-operator', operation = 'Apply') => live((o) => {
    if (resources) o.spec.template.spec.containers[0].resources = { limits: { cpu: '1' } };
    o.metadata.managedFields = [{ manager, operation, fieldsType: 'FieldsV1', fieldsV1: fieldsV1(resources) }];
  }) as unknown as Record<string, unknown>;

  it('a removed optional field makes the object applied again, naming the field', () => {
    expect(applyReason(desired, withManaged(true), 'webstack-operator')).toBe('spec.template.spec.containers[{"name":"app"}].resources: no longer set');
  });
  it('nothing to do when the owned set is what we want', () => {
    expect(applyReason(desired, withManaged(false), 'webstack-operator')).toBeUndefined();
  });
  it('fields another manager owns are not ours to remove', () => {
    expect(applyReason(desired, withManaged(true, 'kubectl'), 'webstack-operator')).toBeUndefined();
    expect(applyReason(desired, withManaged(true, 'webstack-operator', 'Update'), 'webstack-operator')).toBeUndefined();
  });
  it('a list item keyed by a value we no longer send (a source range) is found', () => {
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { loadBalancerSourceRanges: ['10.0.0.0/8'] } };
    const liveSvc = { ...svc, metadata: { name: 's', managedFields: [{ manager: 'm', operation: 'Apply', fieldsV1: { 'f:spec': { 'f:loadBalancerSourceRanges': {} } } }] } };
    expect(applyReason({ ...svc, spec: {} }, { ...liveSvc, spec: {} }, 'm')).toBe('spec.loadBalancerSourceRanges: no longer set');
    expect(applyReason(svc, liveSvc, 'm')).toBeUndefined();
  });
});
