/** Which existing backup volume claim a stack may apply over: only one the operator labelled for a stack of its name. */
import { describe, expect, it } from '@jest/globals';
import { keptClaimConflict } from '../../src/controller/ownership.js';
import type { LiveObject } from '../../src/controller/children.js';

const claim = (labels?: Record<string, string>): LiveObject => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'shop-backups', labels } });
const ours = { 'webstack.dev/stack': 'shop', 'app.kubernetes.io/managed-by': 'webstack-operator' };

describe('keptClaimConflict', () => {
  it.each<[string, LiveObject | undefined, string | undefined]>([
    ['no claim yet', undefined, undefined],
    ['one made for this stack (also by an earlier stack of the same name)', claim(ours), undefined],
    ['one without labels (made by a user)', claim(), 'PersistentVolumeClaim shop-backups exists and was not made by webstack-operator for stack shop'],
    ['one of another stack', claim({ ...ours, 'webstack.dev/stack': 'other' }), 'PersistentVolumeClaim shop-backups exists and was not made by webstack-operator for stack shop'],
    ['one labelled by another manager', claim({ ...ours, 'app.kubernetes.io/managed-by': 'helm' }), 'PersistentVolumeClaim shop-backups exists and was not made by webstack-operator for stack shop'],
  ])('%s', (_what, live, want) => {
    expect(keptClaimConflict(live, 'shop')).toBe(want);
  });
});
