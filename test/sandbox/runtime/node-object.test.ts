import { describe, expect, it } from '@jest/globals';
import { goArch, nodeLease, nodeObject, nodeStatus, type NodeFacts } from '../../../src/sandbox/runtime/node-object.js';

const facts: NodeFacts = {
  name: 'sandbox', cpus: 2, memoryBytes: 8 * 1024 ** 3, ephemeralStorageBytes: 100 * 1024 ** 3, arch: 'x64', kubeletPort: 10250,
  kubeletVersion: 'v1.35.4', kernelVersion: '6.1.0', osImage: 'Debian GNU/Linux 12 (bookworm)', runtimeVersion: 'webstack-sandbox://0.1.0',
};
const t0 = new Date('2026-01-01T00:00:00Z');
const t1 = new Date('2026-01-01T00:05:00Z');

describe('the Node object', () => {
  it('carries the labels the scheduler and volume affinity match on', () => {
    expect(nodeObject(facts, t0).metadata?.labels).toMatchObject({
      'kubernetes.io/hostname': 'sandbox', 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64',
    });
  });

  it('reports capacity in Kubernetes quantities, 110 pods, and the kubelet endpoint and version', () => {
    const s = nodeStatus(facts, t0, t0);
    expect(s.capacity).toEqual({ cpu: '2', memory: '8388608Ki', pods: '110', 'ephemeral-storage': '104857600Ki' });
    expect(s.allocatable).toEqual(s.capacity);
    expect(s.daemonEndpoints?.kubeletEndpoint?.Port).toBe(10250);
    expect(s.nodeInfo).toMatchObject({ kubeletVersion: 'v1.35.4', containerRuntimeVersion: 'webstack-sandbox://0.1.0', operatingSystem: 'linux', architecture: 'amd64' });
    expect(s.addresses).toEqual([{ type: 'InternalIP', address: '127.0.0.1' }, { type: 'Hostname', address: 'sandbox' }]);
  });

  it('is Ready without pressure, with a fresh heartbeat and the transition time kept', () => {
    const conditions = nodeStatus(facts, t1, t0).conditions ?? [];
    expect(Object.fromEntries(conditions.map((c) => [c.type, c.status]))).toEqual({ Ready: 'True', MemoryPressure: 'False', DiskPressure: 'False', PIDPressure: 'False' });
    for (const c of conditions) {
      expect(c.lastHeartbeatTime).toEqual(t1);
      expect(c.lastTransitionTime).toEqual(t0);
    }
  });

  it.each([['x64', 'amd64'], ['arm64', 'arm64'], ['ia32', '386'], ['riscv64', 'riscv64']])('names arch %s as Go does: %s', (node, go) => {
    expect(goArch(node)).toBe(go);
  });
});

describe('the node Lease', () => {
  it('is held by the node in kube-node-lease, owned by the Node, renewed with microsecond time', () => {
    const lease = nodeLease({ name: 'sandbox', uid: 'u-1' }, t1);
    expect(lease.metadata).toMatchObject({ name: 'sandbox', namespace: 'kube-node-lease', ownerReferences: [{ kind: 'Node', name: 'sandbox', uid: 'u-1' }] });
    expect(lease.spec?.holderIdentity).toBe('sandbox');
    expect(lease.spec?.leaseDurationSeconds).toBe(40);
    expect(JSON.parse(JSON.stringify(lease.spec)).renewTime).toBe('2026-01-01T00:05:00.000000Z');
  });
});
