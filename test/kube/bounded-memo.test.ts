import { describe, expect, it } from '@jest/globals';
import { boundedMemo } from '../../src/kube/bounded-memo.js';

describe('boundedMemo', () => {
  it('computes each key once, and starts over past its bound', () => {
    const computed: string[] = [];
    const upper = boundedMemo((k) => { computed.push(k); return k.toUpperCase(); }, 2);
    expect([upper('a'), upper('b'), upper('a'), upper('b')]).toEqual(['A', 'B', 'A', 'B']);
    expect(computed).toEqual(['a', 'b']);
    // A third key clears the two kept: 'a' is computed again.
    expect([upper('c'), upper('a')]).toEqual(['C', 'A']);
    expect(computed).toEqual(['a', 'b', 'c', 'a']);
  });
});
