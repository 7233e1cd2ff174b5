import { describe, expect, it } from '@jest/globals';
import type { KubernetesObject } from '@kubernetes/client-node';
import { dataDigest, MATCHES_LAST_APPLY, slimObject, slimTransform } from '../../src/kube/cache-transform.js';

const statusRead = new Set(['Deployment']);
const obj = (kind: string): KubernetesObject & { spec: object; status: object } => ({
  apiVersion: 'v1', kind,
  metadata: {
    name: 'x', namespace: 'ns', resourceVersion: '4', labels: { a: '1' },
    annotations: { keep: 'me', 'kubectl.kubernetes.io/last-applied-configuration': '{"a huge":"copy"}' },
    managedFields: [{ manager: 'webstack-operator', operation: 'Apply', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } }],
  },
  spec: { replicas: 2 },
  status: { readyReplicas: 1 },
});

describe('slimObject', () => {
  it('drops managed fields and the last-applied annotation, keeps the rest of the metadata and the spec', () => {
    const slim = slimObject(obj('Deployment'), { statusRead }) as ReturnType<typeof obj>;
    expect(slim.metadata).toEqual({ name: 'x', namespace: 'ns', resourceVersion: '4', labels: { a: '1' }, annotations: { keep: 'me' } });
    expect(slim.spec).toEqual({ replicas: 2 });
  });
  it('keeps the status of kinds whose status is read, drops the others', () => {
    expect((slimObject(obj('Deployment'), { statusRead }) as { status?: object }).status).toEqual({ readyReplicas: 1 });
    expect((slimObject(obj('PodDisruptionBudget'), { statusRead }) as { status?: object }).status).toBeUndefined();
  });
  it('keeps the data of kinds only compared as a digest per key, equal exactly when the values are', () => {
    const cm = (cfg: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { 'haproxy.cfg': cfg, empty: '' } });
    const slim = slimObject(cm('global\n  maxconn 100\n'), { statusRead, dataCompared: new Set(['ConfigMap']) }) as ReturnType<typeof cm>;
    expect(slim.data).toEqual({ 'haproxy.cfg': dataDigest('global\n  maxconn 100\n'), empty: dataDigest('') });
    expect(slim.data['haproxy.cfg']).toMatch(/^sha256:/);
    expect(dataDigest('global\n  maxconn 101\n')).not.toBe(slim.data['haproxy.cfg']);
    expect((slimObject(cm('a'), { statusRead }) as ReturnType<typeof cm>).data['haproxy.cfg']).toBe('a');
  });
  it('leaves the object it was given unchanged', () => {
    const o = { ...obj('ConfigMap'), data: { k: 'v' } };
    const before = JSON.stringify(o);
    slimObject(o, { statusRead, dataCompared: new Set(['ConfigMap']) });
    expect(JSON.stringify(o)).toBe(before);
  });
  describe('an object that holds exactly what was applied', () => {
    const OWNER = { apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStack', name: 'shop', uid: 'o1', controller: true };
    const appliedOnly = (holds: boolean) => ({ read: new Map([['Deployment', ['spec.replicas', 'spec.strategy.type']], ['ConfigMap', []]]), holdsLastApply: () => holds });
    const deployment = () => ({
      ...obj('Deployment'),
      metadata: { ...obj('Deployment').metadata, uid: 'u1', generation: 3, creationTimestamp: new Date('2026-12-04T20:00:00Z'), ownerReferences: [OWNER] },
      spec: { replicas: 2, strategy: { type: 'Recreate', rollingUpdate: null }, template: { spec: { containers: [{ name: 'web' }] } } },
    });
    it('keeps its identity, owners, labels, annotations, its status if read, and the read paths, marked', () => {
      expect(slimObject(deployment(), { statusRead, appliedOnly: appliedOnly(true) })).toEqual({
        apiVersion: 'v1', kind: 'Deployment', [MATCHES_LAST_APPLY]: true,
        metadata: { name: 'x', namespace: 'ns', uid: 'u1', resourceVersion: '4', generation: 3, labels: { a: '1' }, annotations: { keep: 'me' }, ownerReferences: [OWNER] },
        spec: { replicas: 2, strategy: { type: 'Recreate' } },
        status: { readyReplicas: 1 },
      });
    });
    it('keeps nothing but metadata of a kind with no read paths', () => {
      const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', resourceVersion: '1' }, data: { big: 'x'.repeat(1000) } };
      expect(slimObject(cm, { statusRead, dataCompared: new Set(['ConfigMap']), appliedOnly: appliedOnly(true) }))
        .toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', resourceVersion: '1' }, [MATCHES_LAST_APPLY]: true });
    });
    it('is slimmed as any other when it does not hold what was applied, or its kind is not listed', () => {
      const notHeld = slimObject(deployment(), { statusRead, appliedOnly: appliedOnly(false) }) as ReturnType<typeof deployment>;
      expect(notHeld).not.toHaveProperty(MATCHES_LAST_APPLY);
      expect(notHeld.spec).toEqual(deployment().spec);
      const pdb = slimObject({ ...deployment(), kind: 'PodDisruptionBudget' }, { statusRead, appliedOnly: appliedOnly(true) });
      expect(pdb).not.toHaveProperty(MATCHES_LAST_APPLY);
    });
  });
});

describe('slimTransform', () => {
  const version = (uid: string, rv: string) => ({ ...obj('Deployment'), metadata: { ...obj('Deployment').metadata, uid, resourceVersion: rv } });
  it('slims a version seen again (a write response, then its watch event) once, and gives the same copy', () => {
    const slim = slimTransform({ statusRead }, 2);
    const first = slim(version('u1', '5'));
    expect(slim(version('u1', '5'))).toBe(first);
    expect(slim(version('u1', '6'))).not.toBe(first);
    expect(slim(version('u2', '5'))).not.toBe(first);
    // Only the last two are remembered.
    expect(slim(version('u1', '5'))).not.toBe(first);
    expect(slim(version('u1', '5'))).toEqual(first);
  });
});
