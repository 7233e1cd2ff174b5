import { describe, expect, it } from '@jest/globals';
import { SharedValues } from '../../src/kube/shared-values.js';

describe('SharedValues', () => {
  it('hands back the copy kept of an equal value, frozen; a string and a JSON value never mix', () => {
    const shared = new SharedValues();
    const labels = shared.value({ app: 'shop', tier: 'web' });
    expect(shared.value({ app: 'shop', tier: 'web' })).toBe(labels);
    expect(shared.value({ app: 'shop', tier: 'api' })).not.toBe(labels);
    expect(Object.isFrozen(labels)).toBe(true);
    const refs = shared.value([{ uid: 'u1', controller: true }]);
    expect(Object.isFrozen(refs[0])).toBe(true);
    expect(shared.string('{"app":"shop","tier":"web"}')).toBe('{"app":"shop","tier":"web"}');
    expect(shared.value({ app: 'shop', tier: 'web' })).toBe(labels);
  });
  it('starts over past its bound', () => {
    const shared = new SharedValues(2);
    const a = shared.value({ a: 1 });
    shared.value({ b: 1 });
    shared.value({ c: 1 });
    expect(shared.value({ a: 1 })).not.toBe(a);
  });
});
