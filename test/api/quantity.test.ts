import { describe, expect, it } from '@jest/globals';
import { canonicalQuantity } from '../../src/api/quantity.js';

describe('canonicalQuantity, as kube-apiserver stores quantities', () => {
  it.each([
    ['0.5', '500m'],
    ['1000m', '1'],
    ['1500m', '1500m'],
    ['1.5', '1500m'],
    ['100000', '100k'],
    ['2048M', '2048M'],
    ['1024Mi', '1Gi'],
    ['0.5Gi', '512Mi'],
    ['1.5Gi', '1536Mi'],
    ['1000Mi', '1000Mi'],
    ['0.5Ki', '512'],
    ['1536', '1536'],
    ['1Ki', '1Ki'],
    ['0', '0'],
    ['0Gi', '0'],
    ['1e3', '1e3'],
    ['1.5e3', '1500'],
    ['0.0000000001', '1n'],
    ['-0.5', '-500m'],
    ['10Gi', '10Gi'],
    ['.5', '500m'],
  ])('%s -> %s', (sent, stored) => {
    expect(canonicalQuantity(sent)).toBe(stored);
  });

  it('leaves text that is no quantity as it is', () => {
    expect(canonicalQuantity('lots')).toBe('lots');
  });
});
