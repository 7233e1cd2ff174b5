/**
 * The Node this runtime registers with a real control plane, and the Lease that keeps it alive.
 * Pure: facts about the machine in, API objects out.
 */
import { V1MicroTime, type V1Lease, type V1Node, type V1NodeCondition } from '@kubernetes/client-node';

/** The namespace where kubelets renew their node Leases. */
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
export const NODE_LEASE_SECONDS = 40;
/** How often the kubelet renews its Lease (a quarter of its duration, as the real kubelet does). */
export const LEASE_RENEW_MS = 10_000;
/** How often the full node status is re-sent, so its conditions' heartbeat times stay fresh. */
export const STATUS_REPORT_MS = 30_000;
export const MAX_PODS = 110;

export interface NodeFacts {
  name: string;
  cpus: number;
  memoryBytes: number;
  ephemeralStorageBytes: number;
  /** Node.js arch names (x64, arm64), mapped to Go's as Kubernetes labels use them. */
  arch: string;
  kubeletPort: number;
  /** The API server's gitVersion; the kubelet reports the same. */
  kubeletVersion: string;
  kernelVersion: string;
  osImage: string;
  runtimeVersion: string;
}

export function goArch(nodeArch: string): string {
  return ({ x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' } as Record<string, string>)[nodeArch] ?? nodeArch;
}

export function nodeConditions(now: Date, since: Date): V1NodeCondition[] {
  const c = (type: string, status: string, reason: string, message: string): V1NodeCondition => ({
    type, status, reason, message, lastHeartbeatTime: now, lastTransitionTime: since,
  });
  return [
    c('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    c('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    c('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    c('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
  ];
}

export function nodeStatus(f: NodeFacts, now: Date, since: Date): NonNullable<V1Node['status']> {
  const resources = {
    cpu: String(f.cpus),
    memory: `${Math.floor(f.memoryBytes / 1024)}Ki`,
    pods: String(MAX_PODS),
    'ephemeral-storage': `${Math.floor(f.ephemeralStorageBytes / 1024)}Ki`,
  };
  return {
    capacity: resources,
    allocatable: resources,
    conditions: nodeConditions(now, since),
    addresses: [{ type: 'InternalIP', address: '127.0.0.1' }, { type: 'Hostname', address: f.name }],
    daemonEndpoints: { kubeletEndpoint: { Port: f.kubeletPort } },
    nodeInfo: {
      machineID: '', systemUUID: '', bootID: '',
      kernelVersion: f.kernelVersion, osImage: f.osImage, containerRuntimeVersion: f.runtimeVersion,
      kubeletVersion: f.kubeletVersion, kubeProxyVersion: '', operatingSystem: 'linux', architecture: goArch(f.arch),
    },
  };
}

export function nodeObject(f: NodeFacts, now: Date): V1Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: f.name,
      labels: {
        'kubernetes.io/hostname': f.name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': goArch(f.arch),
        'beta.kubernetes.io/os': 'linux',
        'beta.kubernetes.io/arch': goArch(f.arch),
      },
    },
    spec: {},
    status: nodeStatus(f, now, now),
  };
}

/** The node's Lease, owned by the Node so it goes when the Node is deleted. */
export function nodeLease(node: { name: string; uid: string }, now: Date): V1Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: node.name, namespace: NODE_LEASE_NAMESPACE,
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node.name, uid: node.uid }],
    },
    spec: { holderIdentity: node.name, leaseDurationSeconds: NODE_LEASE_SECONDS, renewTime: new V1MicroTime(now.getTime()) },
  };
}
