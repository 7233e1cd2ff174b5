/** The /scale subresource: an autoscaling/v1 Scale view of a workload's replica counts. */
import { badRequest } from './errors.js';
import type { ScalePaths } from './resource-type.js';
import { isObject, type KubeObject } from './types.js';

function segments(path: string): string[] {
  return path.replace(/^\./, '').split('.').filter(Boolean);
}

function read(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const s of segments(path)) cur = isObject(cur) ? cur[s] : undefined;
  return cur;
}

/** `app=web,tier in (a,b)` from a metav1.LabelSelector (or the string a CRD keeps). */
export function selectorString(selector: unknown): string {
  if (typeof selector === 'string') return selector;
  if (!isObject(selector)) return '';
  const parts = Object.entries(isObject(selector.matchLabels) ? selector.matchLabels : {}).map(([k, v]) => `${k}=${String(v)}`);
  for (const e of Array.isArray(selector.matchExpressions) ? selector.matchExpressions.filter(isObject) : []) {
    const values = Array.isArray(e.values) ? e.values.map(String).join(',') : '';
    if (e.operator === 'In') parts.push(`${String(e.key)} in (${values})`);
    else if (e.operator === 'NotIn') parts.push(`${String(e.key)} notin (${values})`);
    else if (e.operator === 'Exists') parts.push(String(e.key));
    else if (e.operator === 'DoesNotExist') parts.push(`!${String(e.key)}`);
  }
  return parts.join(',');
}

export function toScale(obj: KubeObject, paths: ScalePaths): KubeObject {
  const m = obj.metadata;
  const specReplicas = read(obj, paths.specReplicasPath);
  const statusReplicas = read(obj, paths.statusReplicasPath);
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: typeof specReplicas === 'number' ? specReplicas : 0 },
    status: {
      replicas: typeof statusReplicas === 'number' ? statusReplicas : 0,
      ...(paths.labelSelectorPath ? { selector: selectorString(read(obj, paths.labelSelectorPath)) } : {}),
    },
  };
}

/** The workload with the replica count a Scale asks for. */
export function applyScale(obj: KubeObject, scale: unknown, paths: ScalePaths): KubeObject {
  const replicas = isObject(scale) && isObject(scale.spec) ? scale.spec.replicas : undefined;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw badRequest(`spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be a non-negative integer`);
  }
  const out = JSON.parse(JSON.stringify(obj)) as KubeObject;
  const segs = segments(paths.specReplicasPath);
  let cur: Record<string, unknown> = out;
  for (const s of segs.slice(0, -1)) {
    if (!isObject(cur[s])) cur[s] = {};
    cur = cur[s] as Record<string, unknown>;
  }
  cur[segs[segs.length - 1]] = replicas;
  return out;
}
