import { describe, expect, it } from '@jest/globals';
import { POD_NETWORK } from '../../../src/sandbox/runtime/addresses.js';
import { setUpPodNetwork } from '../../../src/sandbox/runtime/pod-network.js';

describe('setUpPodNetwork', () => {
  it('stays on loopback addresses, saying why, when it can not add the route', () => {
    expect(setUpPodNetwork(undefined)).toEqual({ network: POD_NETWORK, routed: false, reason: expect.stringContaining('iproute2') });
    expect(setUpPodNetwork('/bin/false')).toEqual({ network: POD_NETWORK, routed: false, reason: expect.stringContaining('10.244.0.0/16') });
  });
});
