import { describe, expect, it } from '@jest/globals';
import { evaluateJsonPath } from '../../../src/sandbox/apiserver/jsonpath.js';
import { humanAge } from '../../../src/sandbox/apiserver/table.js';

describe('printer-column JSONPath', () => {
  const obj = { spec: { size: 3, items: [{ n: 'a' }, { n: 'b' }] }, status: { conditions: [{ type: 'Progressing', status: 'False' }, { type: 'Ready', status: 'True' }] } };
  it.each([
    ['.spec.size', [3]],
    ['.spec.items[1].n', ['b']],
    ['.spec.items[*].n', ['a', 'b']],
    ['.status.conditions[?(@.type=="Ready")].status', ['True']],
    ['{.status.conditions[?(@.type=="Gone")].status}', []],
    ['.spec.missing', []],
  ])('%s', (path, expected) => {
    expect(evaluateJsonPath(obj, path)).toEqual(expected);
  });
});

describe('ages', () => {
  const now = Date.parse('2026-01-02T00:00:00Z');
  it.each([
    ['2026-01-01T23:59:55Z', '5s'],
    ['2026-01-01T23:55:00Z', '5m'],
    ['2026-01-01T23:54:30Z', '5m30s'],
    ['2026-01-01T21:01:00Z', '179m'],
    ['2026-01-01T21:00:00Z', '3h'],
    ['2026-01-01T00:00:00Z', '24h'],
    ['2025-12-20T00:00:00Z', '13d'],
  ])('%s is %s old', (t, expected) => {
    expect(humanAge(t, now)).toBe(expected);
  });
});
