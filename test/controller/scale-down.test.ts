import { describe, expect, it } from '@jest/globals';
import { heldDatabaseReplicas } from '../../src/controller/scale-down.js';

describe('heldDatabaseReplicas', () => {
  it.each<[string, number, string | undefined, number]>([
    ['no primary recorded yet', 2, undefined, 2],
    ['the primary stays', 2, 'shop-mysql-1', 2],
    ['scaling below the primary waits for the switchover', 2, 'shop-mysql-2', 3],
    ['scaling to 1 with the primary at 4', 1, 'shop-mysql-4', 5],
    ['scaling up is never held', 5, 'shop-mysql-2', 5],
    ['a primary of another stack is not ours', 2, 'shop-b-mysql-7', 2],
    ['a name that is no pod ordinal', 2, 'shop-mysql-x', 2],
  ])('%s', (_what, replicas, primary, want) => {
    expect(heldDatabaseReplicas('shop', replicas, primary)).toBe(want);
  });
});
