/** Which stack an owned object's event wakes. */
import { describe, expect, it } from '@jest/globals';
import { ownerKey, stackKey } from '../../src/controller/stack-keys.js';

describe('stackKey', () => {
  it('defaults the namespace', () => {
    expect(stackKey(undefined, 'shop')).toBe('default/shop');
  });
});

describe('ownerKey', () => {
  const ref = { apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStack', name: 'shop', uid: 'u' };
  it.each([
    [{ ...ref, controller: true }, 'ns/shop'],
    [{ ...ref, controller: false }, undefined],
    [{ ...ref, kind: 'Other', controller: true }, undefined],
  ])('%j -> %s', (r, want) => {
    expect(ownerKey({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'ns', ownerReferences: [r] } })).toBe(want);
  });
});
