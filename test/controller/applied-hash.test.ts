/**
 * The applied hash on tables of values: what it depends on (content, array order, a Secret's keys)
 * and what it does not (key order at any depth, a Secret's values, a hash already stamped). The
 * pinned hashes are the ones earlier releases stamped: were they to change, an operator upgrade
 * would apply every child again.
 */
import { describe, expect, it } from '@jest/globals';
import { ANNOTATION_APPLIED_HASH } from '../../src/api/labels.js';
import { holdsLastApply, withAppliedHash } from '../../src/controller/applied-hash.js';
import type { KubeObject } from '../../src/render/object.js';

const hashOf = (o: object) => withAppliedHash(o as KubeObject).metadata.annotations?.[ANNOTATION_APPLIED_HASH];
const configMap = (data: unknown, metadata: object = { name: 'c' }) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata, data });

/** An object of `n` keys, written out of order (`key-0`, `key-7`, `key-14`...). */
const manyKeys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`key-${(i * 7) % n}`, { z: i, a: [i, `v${i}`] }]));

/** `v` with the keys of every object in the reverse order (index-like keys aside: JavaScript always lists those first). */
function reversed(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reversed);
  if (typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(Object.keys(v).reverse().map((k) => [k, reversed((v as Record<string, unknown>)[k])]));
}

describe('the applied hash of a value', () => {
  it.each([
    ['nested objects', { b: { d: 1, c: [{ z: 1, a: 2 }] }, a: { y: null, x: true } }, '090a4f2dbaabb4f10f35d1267baebfb0'],
    ['nested arrays', [[1, [2, { b: 1, a: 0 }]], [], [[]]], '3b6529db323ad2b4f6eb31ada23d503c'],
    ['escapes in values and keys', { 'q"uote': 'a"b\\c', ctl: '\u0000\n\t\u001f\u007f', sep: '\u2028\u2029', pair: 'x\ud83d\ude00y', lone: 'x\ud800y', 'k\ny': 'é' },
      'ce042ebd7d2fbf849f21f802bfc35024'],
    ['numbers', { neg0: -0, big: 1e21, small: 5e-7, frac: 0.1, nan: NaN, inf: -Infinity, int: 8080 }, 'e7127644c2dec98fd7d2df9fc7333006'],
    ['keys that look like array indexes, sorted as strings', { 10: 'ten', 9: 'nine', a: 'a', '-1': 'minus', '01': 'zero one' }, 'dea3a4a671f1271c7ddfbb1aa6782d0e'],
    ['undefined: left out of objects, null in arrays', { gone: undefined, list: [undefined, null, 0, ''], empty: {} }, 'f0b7206c7248467d1a1333807bf9fdff'],
    ['16 keys', manyKeys(16), '3eff9df20e0b795744809dd09dc42129'],
    ['20 keys', manyKeys(20), '32ae48c6a3ff9427fa002f828c05f6ef'],
    ['a large string', 'global\n  maxconn 4096\n'.repeat(400), '2fd932f285cba7e0941a055770aa86c3'],
  ])('%s', (_name, data, hash) => {
    expect(hashOf(configMap(data))).toBe(hash);
    expect(hashOf(reversed(configMap(data)) as object)).toBe(hash);
  });

  it('depends on the order of array items, at any depth', () => {
    expect(hashOf(configMap([[1, 2], [3]]))).not.toBe(hashOf(configMap([[3], [1, 2]])));
    expect(hashOf(configMap([[1, 2], [3]]))).not.toBe(hashOf(configMap([[2, 1], [3]])));
    expect(hashOf(configMap({ a: [{ b: [1, 2] }] }))).not.toBe(hashOf(configMap({ a: [{ b: [2, 1] }] })));
  });

  it('leaves out the hash stamped before, and annotations left empty without it', () => {
    const plain = configMap({ k: 'v' });
    expect(hashOf(configMap({ k: 'v' }, { name: 'c', annotations: { [ANNOTATION_APPLIED_HASH]: 'stale' } }))).toBe(hashOf(plain));
    expect(hashOf(configMap({ k: 'v' }, { name: 'c', annotations: {} }))).toBe(hashOf(plain));
    expect(hashOf(configMap({ k: 'v' }, { name: 'c', annotations: { note: 'x', [ANNOTATION_APPLIED_HASH]: 'stale' } })))
      .toBe(hashOf(configMap({ k: 'v' }, { name: 'c', annotations: { note: 'x' } })));
    expect(hashOf(configMap({ k: 'v' }, { name: 'c', annotations: { note: 'x' } }))).not.toBe(hashOf(plain));
  });

  it('does not change the object it is given', () => {
    const o = configMap({ k: 'v' }, { name: 'c', annotations: { note: 'x', [ANNOTATION_APPLIED_HASH]: 'stale' } });
    const before = JSON.stringify(o);
    const stamped = withAppliedHash(o as KubeObject);
    expect(JSON.stringify(o)).toBe(before);
    expect(stamped.metadata.annotations).toEqual({ note: 'x', [ANNOTATION_APPLIED_HASH]: hashOf(o) });
  });
});

describe("a Secret's applied hash", () => {
  const secret = (data?: object, stringData?: object) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'Opaque', data, stringData });

  it.each([
    ['data', secret({ password: 'c2VjcmV0MQ==', user: 'YWRtaW4=' }), secret({ user: 'b3RoZXI=', password: 'c2VjcmV0Mg==' }), 'b0156fc1e8e1be0c3f4bc5f398a8220b'],
    ['stringData', secret(undefined, { password: 'one' }), secret(undefined, { password: 'two' }), '3aa0d00ee41313c7ba042623c74d1c29'],
    ['both', secret({ a: 'eA==' }, { b: 'y' }), secret({ a: 'eg==' }, { b: 'w' }), 'bde073dbb97f20254e89382e4d583b64'],
  ])('%s: the values are left out, in any key order', (_name, one, other, hash) => {
    expect(hashOf(one)).toBe(hash);
    expect(hashOf(other)).toBe(hash);
  });

  it('the keys are in, and where they are (data or stringData)', () => {
    expect(hashOf(secret({ password: 'eA==' }))).not.toBe(hashOf(secret({ password: 'eA==', extra: 'eA==' })));
    expect(hashOf(secret({ password: 'eA==' }))).not.toBe(hashOf(secret(undefined, { password: 'x' })));
  });

  it('never holds what was applied, where a ConfigMap of the same shape does: its hash cannot tell', () => {
    const applied = (o: object) => {
      const stamped = withAppliedHash(o as KubeObject);
      return { ...stamped, metadata: { ...stamped.metadata, managedFields: [{ manager: 'op', operation: 'Apply', fieldsType: 'FieldsV1',
        fieldsV1: { 'f:metadata': { 'f:annotations': { [`f:${ANNOTATION_APPLIED_HASH}`]: {} } }, 'f:data': { 'f:password': {} } } }] } };
    };
    expect(holdsLastApply(applied(configMap({ password: 'eA==' }, { name: 's' })), 'op')).toBe(true);
    expect(holdsLastApply(applied({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { password: 'eA==' } }), 'op')).toBe(false);
  });
});
