/** The few defaults kube-apiserver fills in on built-in kinds that controllers here rely on. */
import type { KubeObject } from './types.js';
import { isObject } from './types.js';

let nextClusterIp = 10;

function allocateClusterIp(): string {
  const n = nextClusterIp++;
  return `10.96.${(n >> 8) & 255}.${n & 255}`;
}

export function defaultBuiltin(group: string, kind: string, obj: KubeObject, old: KubeObject | undefined): void {
  const spec = isObject(obj.spec) ? obj.spec : undefined;
  const key = `${group}/${kind}`;
  if (key === 'apps/Deployment' || key === 'apps/StatefulSet' || key === 'apps/ReplicaSet') {
    if (spec && spec.replicas === undefined) spec.replicas = 1;
    if (key === 'apps/StatefulSet' && spec && spec.podManagementPolicy === undefined) spec.podManagementPolicy = 'OrderedReady';
  }
  if (key === '/Service' && spec) {
    if (spec.type === undefined) spec.type = 'ClusterIP';
    const oldSpec = isObject(old?.spec) ? old.spec : undefined;
    if (spec.clusterIP === undefined) spec.clusterIP = oldSpec?.clusterIP ?? allocateClusterIp();
    if (spec.clusterIPs === undefined && spec.clusterIP !== 'None') spec.clusterIPs = [spec.clusterIP];
    if (Array.isArray(spec.ports)) for (const p of spec.ports) if (isObject(p) && p.protocol === undefined) p.protocol = 'TCP';
  }
  if (key === '/Pod' && !old) {
    const status = isObject(obj.status) ? obj.status : {};
    if (status.phase === undefined) status.phase = 'Pending';
    obj.status = status;
  }
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
