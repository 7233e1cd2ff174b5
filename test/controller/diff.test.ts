import { describe, expect, it } from '@jest/globals';
import { ANNOTATION_APPLIED_HASH } from '../../src/api/labels.js';
import { withAppliedHash } from '../../src/controller/applied-hash.js';
import { applyReason, firstDifference } from '../../src/controller/diff.js';
import type { KubeObject } from '../../src/render/object.js';

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

describe('applyReason: a field the last apply set and the desired object no longer sets', () => {
  const withLimits = {
    ...desired,
    spec: { ...desired.spec, template: { spec: { containers: [{ ...desired.spec.template.spec.containers[0], resources: { limits: { cpu: '1' } } }] } } },
  };
  // What runs after applying `withLimits`: its hash, and the limits the server keeps.
  const liveAfter = (applied: typeof withLimits) => {
    const stamped = withAppliedHash(applied as unknown as KubeObject);
    return { ...JSON.parse(JSON.stringify(stamped)), metadata: { ...stamped.metadata, uid: 'd1', resourceVersion: '7' } } as Record<string, unknown>;
  };

  it('a removed optional field makes the object applied again, though every wanted field is there', () => {
    expect(applyReason(withAppliedHash(desired), liveAfter(withLimits))).toBe('a field of the last apply is no longer set');
  });
  it('nothing to do when the last apply was this one', () => {
    expect(applyReason(withAppliedHash(withLimits as unknown as KubeObject), liveAfter(withLimits))).toBeUndefined();
  });
  it('an object applied before the hash existed is applied once to get it', () => {
    expect(applyReason(withAppliedHash(desired), live(() => {}) as unknown as Record<string, unknown>))
      .toBe(`metadata.annotations.${ANNOTATION_APPLIED_HASH}: missing`);
  });
  it('a field changed by someone else is still found by comparison, before the hash', () => {
    const scaled = liveAfter(withLimits) as { spec: { replicas: number } };
    scaled.spec.replicas = 1;
    expect(applyReason(withAppliedHash(withLimits as unknown as KubeObject), scaled as unknown as Record<string, unknown>)).toBe('spec.replicas: differs');
  });
});

describe('withAppliedHash', () => {
  const secret = (password: string, keys = ['password']): KubeObject => ({
    apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: Object.fromEntries(keys.map((k) => [k, password])),
  });
  const hashOf = (o: KubeObject) => withAppliedHash(o).metadata.annotations?.[ANNOTATION_APPLIED_HASH];

  it('does not depend on key order, and stamping twice gives the same hash', () => {
    const reordered = { kind: desired.kind, spec: desired.spec, metadata: desired.metadata, apiVersion: desired.apiVersion };
    expect(hashOf(reordered)).toBe(hashOf(desired));
    expect(hashOf(withAppliedHash(desired))).toBe(hashOf(desired));
  });
  it('is the hash earlier releases stamped: an operator upgrade applies nothing again', () => {
    const deployment = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'shop-web', namespace: 'ns', labels: { b: '2', a: '1' }, annotations: { note: 'é\u2028"' } },
      spec: { replicas: 3, paused: undefined, template: { spec: { containers: [{ name: 'app', image: 'x:1', env: [{ name: 'Z', value: '' }, { name: 'A', value: 'v' }], args: [null, 1, true] }] } } },
    };
    expect(hashOf(deployment as unknown as KubeObject)).toBe('20ff87d37f1a78b9557ec84906f48ec4');
  });
  it('keeps the annotations the object has', () => {
    const annotated = { ...desired, metadata: { ...desired.metadata, annotations: { note: 'x' } } };
    expect(withAppliedHash(annotated).metadata.annotations?.note).toBe('x');
    expect(hashOf(annotated)).not.toBe(hashOf(desired));
  });
  it("a Secret's values are left out, its keys are not", () => {
    expect(hashOf(secret('c2VjcmV0MQ=='))).toBe(hashOf(secret('c2VjcmV0Mg==')));
    expect(hashOf(secret('c2VjcmV0MQ==', ['password', 'extra']))).not.toBe(hashOf(secret('c2VjcmV0MQ==')));
  });
});
