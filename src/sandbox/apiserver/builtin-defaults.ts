/** The defaults kube-apiserver fills in on built-in kinds (its defaulting functions and default admission plugins). */
import { defaultPod } from './pod-defaults.js';
import type { KubeObject } from './types.js';
import { isObject, type JsonObject } from './types.js';
import { defaultWorkload } from './workload-defaults.js';

let nextNodePort = 30000;

/** Hands out Service cluster IPs. */
export type ClusterIpAllocator = () => string;

/**
 * Cluster IPs in order from a /16 (`.1` to `.254` of each third octet), beginning `start` hosts in:
 * kube's 10.96.0.0/16 by default; the sandbox asks for its loopback Service network, so the address
 * `kubectl get svc` shows is one that answers on this host.
 */
export function clusterIpAllocator(network: readonly [number, number] = [10, 96], start = 9): ClusterIpAllocator {
  const capacity = 256 * 254;
  let next = start % capacity;
  return () => {
    const n = next;
    next = (next + 1) % capacity;
    return `${network[0]}.${network[1]}.${Math.floor(n / 254)}.${(n % 254) + 1}`;
  };
}

/** From kube's default NodePort range, 30000-32767. */
function allocateNodePort(): number {
  const port = nextNodePort;
  nextNodePort = nextNodePort >= 32767 ? 30000 : nextNodePort + 1;
  return port;
}

function withDefaults(target: JsonObject, defaults: JsonObject): void {
  for (const [k, v] of Object.entries(defaults)) if (target[k] === undefined) target[k] = v;
}

function service(spec: JsonObject, oldSpec: JsonObject | undefined, obj: KubeObject, allocateClusterIp: ClusterIpAllocator): void {
  withDefaults(spec, { type: 'ClusterIP', sessionAffinity: 'None', internalTrafficPolicy: 'Cluster' });
  if (spec.type === 'ExternalName') return;
  if (spec.clusterIP === undefined) spec.clusterIP = oldSpec?.clusterIP ?? allocateClusterIp();
  withDefaults(spec, { clusterIPs: [spec.clusterIP], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' });
  const exposed = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
  if (exposed) withDefaults(spec, { externalTrafficPolicy: 'Cluster' });
  if (spec.type === 'LoadBalancer') withDefaults(spec, { allocateLoadBalancerNodePorts: true });
  const oldPorts = Array.isArray(oldSpec?.ports) ? oldSpec.ports.filter(isObject) : [];
  for (const p of Array.isArray(spec.ports) ? spec.ports.filter(isObject) : []) {
    withDefaults(p, { protocol: 'TCP', targetPort: p.port });
    if (exposed && p.nodePort === undefined) p.nodePort = oldPorts.find((o) => o.port === p.port && o.protocol === p.protocol)?.nodePort ?? allocateNodePort();
  }
  if (!isObject(obj.status)) obj.status = { loadBalancer: {} };
}

export function defaultBuiltin(group: string, kind: string, obj: KubeObject, old: KubeObject | undefined, allocateClusterIp: ClusterIpAllocator): void {
  const spec = isObject(obj.spec) ? obj.spec : undefined;
  const key = `${group}/${kind}`;
  defaultWorkload(group, kind, obj, !old);
  if (key === '/Service' && spec) service(spec, isObject(old?.spec) ? old.spec : undefined, obj, allocateClusterIp);
  if (key === '/Pod') defaultPod(obj, !old);
  if (key === '/PersistentVolumeClaim' && spec) {
    withDefaults(spec, { volumeMode: 'Filesystem' });
    if (!old) obj.status = { phase: 'Pending', ...(isObject(obj.status) ? obj.status : {}) };
  }
  if (key === 'networking.k8s.io/NetworkPolicy' && spec) {
    for (const rule of [spec.ingress, spec.egress].flatMap((r) => (Array.isArray(r) ? r.filter(isObject) : []))) {
      for (const p of Array.isArray(rule.ports) ? rule.ports.filter(isObject) : []) withDefaults(p, { protocol: 'TCP' });
    }
    withDefaults(spec, { policyTypes: spec.egress === undefined ? ['Ingress'] : ['Ingress', 'Egress'] });
  }
  if (key === 'policy/PodDisruptionBudget' && !old) obj.status = { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 };
  if (key === '/Namespace') {
    obj.spec = { finalizers: ['kubernetes'], ...(spec ?? {}) };
    const status = isObject(obj.status) ? obj.status : {};
    if (!obj.metadata.deletionTimestamp) status.phase = 'Active';
    obj.status = status;
    obj.metadata.labels = { ...(obj.metadata.labels ?? {}), 'kubernetes.io/metadata.name': obj.metadata.name! };
  }
  if (key === '/Secret') {
    if (obj.type === undefined) obj.type = 'Opaque';
    if (isObject(obj.stringData)) {
      const data = isObject(obj.data) ? obj.data : {};
      for (const [k, v] of Object.entries(obj.stringData)) data[k] = Buffer.from(String(v)).toString('base64');
      obj.data = data;
      delete obj.stringData;
    }
  }
}
