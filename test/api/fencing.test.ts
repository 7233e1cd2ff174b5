import { describe, expect, test } from '@jest/globals';
import { fencedAnnotation, fencedInstances } from '../../src/api/fencing.js';

const ws = (value?: string): { metadata: { annotations: Record<string, string> } } =>
  ({ metadata: { annotations: value === undefined ? {} : { 'webstack.dev/fenced-instances': value } } });

describe('the fenced-instances annotation', () => {
  test.each([
    [undefined, []],
    ['', []],
    ['shop-mysql-2', ['shop-mysql-2']],
    [' shop-mysql-2 , shop-mysql-0,,shop-mysql-2', ['shop-mysql-0', 'shop-mysql-2']],
  ])('%j reads as %j', (value, want) => {
    expect(fencedInstances(ws(value))).toEqual(want);
  });

  test('fence adds once and sorts, unfence removes, the last unfence drops the annotation', () => {
    expect(fencedAnnotation([], 'shop-mysql-2', true)).toBe('shop-mysql-2');
    expect(fencedAnnotation(['shop-mysql-2'], 'shop-mysql-0', true)).toBe('shop-mysql-0,shop-mysql-2');
    expect(fencedAnnotation(['shop-mysql-2'], 'shop-mysql-2', true)).toBe('shop-mysql-2');
    expect(fencedAnnotation(['shop-mysql-0', 'shop-mysql-2'], 'shop-mysql-0', false)).toBe('shop-mysql-2');
    expect(fencedAnnotation(['shop-mysql-2'], 'shop-mysql-2', false)).toBeNull();
  });
});
