import { describe, expect, it } from '@jest/globals';
import { POD_NETWORK, SERVICE_NETWORK } from '../../../src/sandbox/runtime/addresses.js';
import { setUpPodNetwork, setUpServiceNetwork } from '../../../src/sandbox/runtime/pod-network.js';

describe('setUpPodNetwork and setUpServiceNetwork', () => {
  it('stays on loopback addresses, saying why, when it can not add the route', () => {
    expect(setUpPodNetwork(undefined)).toEqual({ network: POD_NETWORK, routed: false, reason: expect.stringContaining('iproute2') });
    expect(setUpPodNetwork('/bin/false')).toEqual({ network: POD_NETWORK, routed: false, reason: expect.stringContaining('10.244.0.0/16') });
    expect(setUpServiceNetwork('/bin/false')).toEqual({ network: SERVICE_NETWORK, routed: false, reason: expect.stringContaining('10.96.0.0/16') });
  });
});
