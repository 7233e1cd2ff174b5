/** CEL rules over JSON values: ints as CEL ints, each object converted once per validation, oldSelf for transitions. */
import { describe, expect, test } from '@jest/globals';
import { CelValues, evaluateRule } from '../../../src/sandbox/apiserver/cel.js';

describe('CelValues', () => {
  test('integral numbers become CEL ints (bigint), others stay as they are', () => {
    expect(new CelValues().of({ n: 3, f: 1.5, s: 'x', b: true, z: null, l: [1, 'a'] })).toEqual({ n: 3n, f: 1.5, s: 'x', b: true, z: null, l: [1n, 'a'] });
  });

  test('an object is converted once, also when reached again through what holds it', () => {
    const spec = { replicas: 2, apps: [{ name: 'web', weight: 1 }] };
    const values = new CelValues();
    const whole = values.of({ spec }) as { spec: unknown };
    expect(values.of(spec)).toBe(whole.spec);
    expect(values.of(spec.apps[0])).toBe((whole.spec as { apps: unknown[] }).apps[0]);
    expect(new CelValues().of(spec)).not.toBe(whole.spec);
  });
});

describe('evaluateRule', () => {
  const rule = { rule: 'self.replicas >= 1 && self.apps.all(a, a.weight <= 256)', message: 'bad' };

  test.each([
    [{ replicas: 2, apps: [{ weight: 1 }] }, { ok: true }],
    [{ replicas: 0, apps: [] }, { ok: false, message: 'bad' }],
    [{ replicas: 1, apps: [{ weight: 300 }] }, { ok: false, message: 'bad' }],
  ])('%j', (self, outcome) => {
    expect(evaluateRule(rule, self, undefined)).toEqual(outcome);
  });

  test('rules share one CelValues and compare with oldSelf', () => {
    const values = new CelValues();
    const immutable = { rule: 'self == oldSelf', message: 'immutable' };
    expect(evaluateRule(immutable, { a: 1 }, { a: 1 }, values)).toEqual({ ok: true });
    expect(evaluateRule(immutable, { a: 1 }, { a: 2 }, values)).toEqual({ ok: false, message: 'immutable' });
  });

  test('a rule that cannot compile is skipped', () => {
    expect(evaluateRule({ rule: 'self.(' }, {}, undefined)).toEqual({ ok: 'skipped' });
  });
});
