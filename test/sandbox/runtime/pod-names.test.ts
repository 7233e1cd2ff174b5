import { describe, expect, it } from '@jest/globals';
import {
  claimName, deploymentPodName, randomSuffix, statefulPodName, statefulPodOrdinal, templateHash,
} from '../../../src/sandbox/runtime/pod-names.js';

describe('pod names', () => {
  it('hashes equal templates equally whatever the key order, and different templates differently', () => {
    const a = templateHash({ metadata: { labels: { a: '1', b: '2' } }, spec: { containers: [{ name: 'c', image: 'x' }] } });
    const b = templateHash({ spec: { containers: [{ image: 'x', name: 'c' }] }, metadata: { labels: { b: '2', a: '1' } } });
    const c = templateHash({ metadata: { labels: { a: '1', b: '2' } }, spec: { containers: [{ name: 'c', image: 'y' }] } });
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(a).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{10}$/);
  });

  it('names Deployment pods <deploy>-<hash>-<random> and StatefulSet pods <sts>-<ordinal>', () => {
    let i = 0;
    expect(randomSuffix(5, () => i++)).toBe('bcdfg');
    expect(deploymentPodName('shop-web', 'abcde12345', 'xyz12')).toBe('shop-web-abcde12345-xyz12');
    expect(deploymentPodName('shop-web', 'h')).toMatch(/^shop-web-h-[a-z0-9]{5}$/);
    expect(statefulPodName('shop-mysql', 2)).toBe('shop-mysql-2');
    expect(claimName('data', 'shop-mysql', 1)).toBe('data-shop-mysql-1');
  });

  it('reads an ordinal back only from <sts>-<n>', () => {
    expect(statefulPodOrdinal('shop-mysql', 'shop-mysql-12')).toBe(12);
    expect(statefulPodOrdinal('shop-mysql', 'shop-mysql-01')).toBeUndefined();
    expect(statefulPodOrdinal('shop-mysql', 'shop-mysql-primary')).toBeUndefined();
    expect(statefulPodOrdinal('shop', 'shop-mysql-0')).toBeUndefined();
  });
});
