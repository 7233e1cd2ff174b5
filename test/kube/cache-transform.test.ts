import { describe, expect, it } from '@jest/globals';
import type { KubernetesObject } from '@kubernetes/client-node';
import { dataDigest, slimObject } from '../../src/kube/cache-transform.js';

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
});
