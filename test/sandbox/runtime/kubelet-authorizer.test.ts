import { describe, expect, it } from '@jest/globals';
import { identityOf } from '../../../src/sandbox/runtime/kubelet-authorizer.js';

describe('identityOf', () => {
  it.each([
    [{ CN: 'kube-apiserver-kubelet-client', O: 'system:masters' }, { user: 'kube-apiserver-kubelet-client', groups: ['system:masters'] }],
    [{ CN: 'u', O: ['a', 'b'] }, { user: 'u', groups: ['a', 'b'] }],
    [{ CN: 'system:kube-scheduler' }, { user: 'system:kube-scheduler', groups: [] }],
    [{ O: 'system:masters' }, undefined],
    [undefined, undefined],
  ])('%j -> %j', (subject, identity) => {
    expect(identityOf(subject)).toEqual(identity);
  });
});
