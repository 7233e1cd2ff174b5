import { describe, expect, it } from '@jest/globals';
import type { KubernetesObject } from '@kubernetes/client-node';
import { appliedFields } from '../../src/kube/managed-fields.js';

const entry = (fieldsV1: object, over: object = {}) => ({ manager: 'op', operation: 'Apply', fieldsType: 'FieldsV1', fieldsV1, ...over });

function live(managedFields: object[]): KubernetesObject & Record<string, unknown> {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop', uid: 'u', labels: { a: '1', theirs: '2' }, managedFields: managedFields as never },
    spec: {
      replicas: 2, revisionHistoryLimit: 10,
      template: { spec: { containers: [{ name: 'web', image: 'x', ports: [{ containerPort: 80, protocol: 'TCP' }], terminationMessagePath: '/dev/termination-log' },
        { name: 'sidecar', image: 'y' }] } },
    },
    finalizers: ['a', 'b'],
  };
}

const ours = {
  'f:metadata': { 'f:labels': { 'f:a': {} } },
  'f:spec': {
    'f:replicas': {},
    'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:name': {}, 'f:image': {}, 'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } } } } } },
  },
  'f:finalizers': { 'v:"b"': {} },
};

describe('appliedFields', () => {
  it('is what the manager applied, with the values the object holds now, identity included', () => {
    expect(appliedFields(live([entry({ 'f:spec': { 'f:replicas': {} } }, { manager: 'kubectl', operation: 'Update' }), entry(ours)]), 'op')).toEqual({
      apiVersion: 'apps/v1', kind: 'Deployment',
      metadata: { name: 'web', namespace: 'shop', labels: { a: '1' } },
      spec: { replicas: 2, template: { spec: { containers: [{ name: 'web', image: 'x', ports: [{ containerPort: 80 }] }] } } },
      finalizers: ['b'],
    });
  });
  it.each([
    ['no elements', {}],
    ['only the item itself', { '.': {} }],
  ])('takes a field owned whole (atomic) as it is: %s', (_name, owned) => {
    const { template } = live([]).spec as { template: object };
    expect(appliedFields(live([entry({ 'f:spec': { 'f:template': owned } })]), 'op')?.spec).toEqual({ template });
    expect(appliedFields(live([entry({ 'f:finalizers': owned })]), 'op')?.finalizers).toEqual(['a', 'b']);
  });
  it('is undefined without an apply entry of the manager, or when a field it names is not there', () => {
    expect(appliedFields(live([entry(ours, { manager: 'kubectl' })]), 'op')).toBeUndefined();
    expect(appliedFields(live([entry(ours, { operation: 'Update' })]), 'op')).toBeUndefined();
    expect(appliedFields(live([entry(ours, { subresource: 'status' })]), 'op')).toBeUndefined();
    expect(appliedFields(live([entry({ 'f:spec': { 'f:paused': {} } })]), 'op')).toBeUndefined();
    expect(appliedFields(live([entry({ 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"gone"}': {} } } } } })]), 'op')).toBeUndefined();
    expect(appliedFields(live([entry({ 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{not json': {} } } } } })]), 'op')).toBeUndefined();
  });
});
