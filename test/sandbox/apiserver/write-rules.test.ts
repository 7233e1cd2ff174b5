import { describe, expect, it } from '@jest/globals';
import { decodeContinue, encodeContinue } from '../../../src/sandbox/apiserver/continue-token.js';
import { crdStatus, validateCrd } from '../../../src/sandbox/apiserver/crd.js';
import type { ResourceType } from '../../../src/sandbox/apiserver/resource-type.js';
import type { KubeObject } from '../../../src/sandbox/apiserver/types.js';
import { changedBeyondMetadata, keepManagerTimes, podGrace, randomSuffix, withoutVolatile } from '../../../src/sandbox/apiserver/write-rules.js';

const type = (statusSubresource: boolean) => ({ statusSubresource }) as ResourceType;
const obj = (extra: Record<string, unknown>, meta: Record<string, unknown> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'X', metadata: { name: 'x', ...meta }, ...extra });

describe('generation', () => {
  it.each<[string, boolean, KubeObject, KubeObject, boolean]>([
    ['spec change', true, obj({ spec: { a: 1 } }), obj({ spec: { a: 2 } }), true],
    ['label change', true, obj({ spec: { a: 1 } }), obj({ spec: { a: 1 } }, { labels: { l: 'v' } }), false],
    ['status change with a status subresource', true, obj({ status: { s: 1 } }), obj({ status: { s: 2 } }), false],
    ['status change without one', false, obj({ status: { s: 1 } }), obj({ status: { s: 2 } }), true],
    ['apiVersion of the request', true, obj({ spec: {} }), { ...obj({ spec: {} }), apiVersion: 'v2' }, false],
  ])('%s -> %s', (_n, status, old, next, expected) => {
    expect(changedBeyondMetadata(type(status), old, next)).toBe(expected);
  });
});

describe('no-op writes', () => {
  it('ignore resourceVersion and managedFields, and keep manager timestamps when their fields did not change', () => {
    const entry = { manager: 'm', operation: 'Apply' as const, apiVersion: 'v1', fieldsType: 'FieldsV1' as const, fieldsV1: { 'f:spec': {} } };
    const old = obj({ spec: { a: 1 } }, { resourceVersion: '5', managedFields: [{ ...entry, time: 'earlier' }] });
    const next = obj({ spec: { a: 1 } }, { resourceVersion: '5', managedFields: [{ ...entry, time: 'now' }] });
    expect(withoutVolatile(next)).toEqual(withoutVolatile(old));
    keepManagerTimes(old, next);
    expect(next.metadata.managedFields![0].time).toBe('earlier');
    const moved = obj({}, { managedFields: [{ ...entry, fieldsV1: { 'f:data': {} }, time: 'now' }] });
    keepManagerTimes(old, moved);
    expect(moved.metadata.managedFields![0].time).toBe('now');
  });
});

describe('small rules', () => {
  it('pod grace period defaults to 30 seconds', () => {
    expect(podGrace(obj({ spec: {} }))).toBe(30);
    expect(podGrace(obj({ spec: { terminationGracePeriodSeconds: 5 } }))).toBe(5);
  });

  it('generated name suffixes are 5 characters of kube’s alphabet', () => {
    expect(randomSuffix()).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('continue tokens round-trip and bad ones are refused', () => {
    expect(decodeContinue(encodeContinue({ rv: 7, after: 'ns/name' }))).toEqual({ rv: 7, after: 'ns/name' });
    expect(() => decodeContinue('not-a-token')).toThrow(/continue key is not valid/);
  });
});

describe('CRDs', () => {
  const crd = (name: string, versions: unknown[]): KubeObject => ({
    metadata: { name },
    spec: { group: 'g.dev', scope: 'Namespaced', names: { plural: 'things', kind: 'Thing' }, versions },
  });
  const v = (name: string, storage: boolean) => ({ name, served: true, storage, schema: { openAPIV3Schema: { type: 'object' } } });

  it('need a matching name and exactly one storage version', () => {
    expect(validateCrd(crd('things.g.dev', [v('v1', true)]))).toEqual([]);
    expect(validateCrd(crd('wrong', [v('v1', true)])).map((e) => e.field)).toEqual(['metadata.name']);
    expect(validateCrd(crd('things.g.dev', [v('v1', true), v('v2', true)])).map((e) => e.field)).toEqual(['spec.versions']);
  });

  it('refuse a map list keyed by a field its items do not declare, wherever it is nested (as kube does)', () => {
    const conditions = (items: Record<string, unknown>) => ({ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: {
      type: 'object', properties: { status: { type: 'object', properties: { conditions: {
        type: 'array', items, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] } } } } } } });
    expect(validateCrd(crd('things.g.dev', [conditions({ type: 'object', properties: { type: { type: 'string' } } })]))).toEqual([]);
    expect(validateCrd(crd('things.g.dev', [conditions({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true })]))).toEqual([{
      field: 'spec.validation.openAPIV3Schema.properties[status].properties[conditions].x-kubernetes-list-map-keys',
      reason: 'FieldValueInvalid',
      detail: 'Invalid value: ["type"]: entries must all be names of item properties',
    }]);
  });

  it('report Established and remember every version ever stored', () => {
    const status = crdStatus({ ...crd('things.g.dev', [v('v1', false), v('v2', true)]), status: { storedVersions: ['v1'] } }, 't');
    expect(status.storedVersions).toEqual(['v1', 'v2']);
    expect(status.conditions.find((c) => c.type === 'Established')).toMatchObject({ status: 'True', lastTransitionTime: 't' });
  });
});
