/** clone: the same copy a JSON round trip makes, sharing nothing with the original. */
import { describe, expect, test } from '@jest/globals';
import { clone } from '../../../src/sandbox/apiserver/types.js';

const roundTrip = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

describe('clone', () => {
  test.each([
    ['a Kubernetes object', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', labels: { x: 'y' }, ownerReferences: [{ uid: 'u', controller: true }] },
      data: { 'k.cfg': 'line\n' }, spec: { replicas: 0, ports: [{ port: 80 }, { port: 443, name: null }] } }],
    ['members that are undefined, functions or symbols', { a: undefined, b: 1, c: () => 1, d: Symbol('s'), e: { f: undefined } }],
    ['array items that are undefined, functions or symbols', [1, undefined, () => 1, Symbol('s'), [undefined]]],
    ['non-finite numbers', { a: NaN, b: Infinity, c: [-Infinity], d: -0 }],
    ['a Date and another toJSON', { at: new Date(Date.UTC(2026, 11, 5)), custom: { toJSON: () => ({ shown: true }) } }],
    ['key order', { z: 1, a: 2, m: { y: 1, b: 2 } }],
    ['scalars', 'text'],
    ['null', null],
    ['an empty object and array', { o: {}, a: [] }],
  ])('%s', (_, value) => {
    const copy = clone(value);
    expect(JSON.stringify(copy)).toBe(JSON.stringify(roundTrip(value)));
    expect(copy).toEqual(roundTrip(value));
  });

  test('undefined stays undefined', () => {
    expect(clone(undefined)).toBeUndefined();
  });

  test('the copy shares nothing with the original', () => {
    const original = { metadata: { labels: { a: '1' } }, items: [{ v: 1 }] };
    const copy = clone(original);
    copy.metadata.labels.a = '2';
    copy.items[0].v = 2;
    copy.items.push({ v: 3 });
    expect(original).toEqual({ metadata: { labels: { a: '1' } }, items: [{ v: 1 }] });
  });
});
