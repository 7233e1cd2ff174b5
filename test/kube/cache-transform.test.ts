import { describe, expect, it } from '@jest/globals';
import type { KubernetesObject } from '@kubernetes/client-node';
import { slimObject } from '../../src/kube/cache-transform.js';

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
  it('leaves the object it was given unchanged', () => {
    const o = obj('ConfigMap');
    const before = JSON.stringify(o);
    slimObject(o, { statusRead });
    expect(JSON.stringify(o)).toBe(before);
  });
});
