import { describe, expect, it } from '@jest/globals';
import { AppliedMemo } from '../../src/controller/applied-memo.js';
import type { KubeObj } from '../../src/kube/client.js';

const obj = (rv: string, replicas: number): KubeObj => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', resourceVersion: rv }, spec: { replicas } });

describe('AppliedMemo', () => {
  it('stands in for a cache that has not seen our write yet, and steps aside once it has', () => {
    const memo = new AppliedMemo();
    const before = obj('5', 2);
    const applied = obj('9', 3);
    memo.remember('k', before, applied);
    expect(memo.freshest('k', before)).toBe(applied);
    const caughtUp = obj('9', 3);
    expect(memo.freshest('k', caughtUp)).toBe(caughtUp);
    // Forgotten once the cache moved on: a later stale read is the cache's again.
    expect(memo.freshest('k', before)).toBe(before);
  });

  it('settle drops the entry once the cache holds another version than the one replaced, not before', () => {
    const memo = new AppliedMemo();
    const before = obj('5', 2);
    const applied = obj('9', 3);
    memo.remember('k', before, applied);
    expect(memo.settle('k', before)).toBe(false);
    expect(memo.freshest('k', before)).toBe(applied);
    expect(memo.settle('k', obj('9', 3))).toBe(true);
    expect(memo.freshest('k', before)).toBe(before);
  });

  it('covers an object we created that the cache does not hold yet', () => {
    const memo = new AppliedMemo();
    const applied = obj('1', 2);
    memo.remember('k', undefined, applied);
    expect(memo.freshest('k', undefined)).toBe(applied);
  });

  it('a change by someone else after our write wins', () => {
    const memo = new AppliedMemo();
    memo.remember('k', obj('5', 2), obj('9', 3));
    const edited = obj('12', 7);
    expect(memo.freshest('k', edited)).toBe(edited);
  });

  it('forgetPrefix drops a stack\'s entries only', () => {
    const memo = new AppliedMemo();
    memo.remember('ns/a/x', undefined, obj('1', 1));
    memo.remember('ns/b/x', undefined, obj('1', 1));
    memo.forgetPrefix('ns/a/');
    expect(memo.freshest('ns/a/x', undefined)).toBeUndefined();
    expect(memo.freshest('ns/b/x', undefined)).toBeDefined();
  });
});
