import { describe, expect, it } from '@jest/globals';
import { immutabilityErrors, ownerReferenceErrors } from '../../../src/sandbox/apiserver/immutable.js';
import type { KubeObject } from '../../../src/sandbox/apiserver/types.js';

const o = (extra: Record<string, unknown>): KubeObject => ({ metadata: { name: 'x' }, ...extra });
const fields = (group: string, kind: string, old: Record<string, unknown>, next: Record<string, unknown>) =>
  immutabilityErrors(group, kind, o(old), o(next)).map((e) => e.field);

describe('immutable fields on update', () => {
  const sts = { spec: { replicas: 1, serviceName: 's', template: { a: 1 }, volumeClaimTemplates: [{ size: '1Gi' }] } };
  it.each<[string, string, string, Record<string, unknown>, Record<string, unknown>, string[]]>([
    ['StatefulSet replicas and template may change', 'apps', 'StatefulSet', sts, { spec: { ...sts.spec, replicas: 3, template: { a: 2 } } }, []],
    ['StatefulSet volumeClaimTemplates may not', 'apps', 'StatefulSet', sts, { spec: { ...sts.spec, volumeClaimTemplates: [{ size: '2Gi' }] } }, ['spec']],
    ['StatefulSet serviceName may not', 'apps', 'StatefulSet', sts, { spec: { ...sts.spec, serviceName: 't' } }, ['spec']],
    ['Deployment selector may not', 'apps', 'Deployment', { spec: { selector: { matchLabels: { a: '1' } } } }, { spec: { selector: { matchLabels: { a: '2' } } } }, ['spec.selector']],
    ['Service clusterIP may not', '', 'Service', { spec: { clusterIP: '10.96.0.1' } }, { spec: { clusterIP: '10.96.0.2' } }, ['spec.clusterIPs[0]']],
    ['PVC may be bound and expanded', '', 'PersistentVolumeClaim', { spec: { resources: { requests: { storage: '1Gi' } } } }, { spec: { volumeName: 'pv', resources: { requests: { storage: '2Gi' } } } }, []],
    ['PVC access modes may not', '', 'PersistentVolumeClaim', { spec: { accessModes: ['ReadWriteOnce'] } }, { spec: { accessModes: ['ReadWriteMany'] } }, ['spec']],
    ['an immutable ConfigMap keeps its data', '', 'ConfigMap', { immutable: true, data: { a: '1' } }, { immutable: true, data: { a: '2' } }, ['data']],
    ['a mutable ConfigMap changes freely', '', 'ConfigMap', { data: { a: '1' } }, { data: { a: '2' } }, []],
    ['a pod may change its images', '', 'Pod', { spec: { containers: [{ name: 'c', image: 'a:1' }] } }, { spec: { containers: [{ name: 'c', image: 'a:2' }] } }, []],
    ['a pod may not change anything else', '', 'Pod', { spec: { containers: [{ name: 'c', image: 'a:1' }] } }, { spec: { containers: [{ name: 'c', image: 'a:1', args: ['x'] }] } }, ['spec']],
    ['a Secret keeps its type', '', 'Secret', { type: 'Opaque' }, { type: 'kubernetes.io/tls' }, ['type']],
  ])('%s', (_name, group, kind, old, next, expected) => {
    expect(fields(group, kind, old, next)).toEqual(expected);
  });

  it('allows one controller owner reference only', () => {
    const ref = (name: string, controller: boolean) => ({ apiVersion: 'v1', kind: 'ConfigMap', name, uid: name, controller });
    expect(ownerReferenceErrors({ metadata: { ownerReferences: [ref('a', true), ref('b', false)] } })).toEqual([]);
    expect(ownerReferenceErrors({ metadata: { ownerReferences: [ref('a', true), ref('b', true)] } })[0].detail).toContain('Only one reference can have Controller set to true');
  });
});
