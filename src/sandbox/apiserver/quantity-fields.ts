/** Where built-in kinds hold resource quantities, canonicalised on every write as kube does. */
import { canonicalQuantity } from '../../api/quantity.js';
import { isObject, type KubeObject } from './types.js';

type Json = Record<string, unknown>;

const at = (o: unknown, ...path: string[]): unknown => path.reduce<unknown>((cur, k) => (isObject(cur) ? cur[k] : undefined), o);
const each = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObject) : []);

function canonicalList(list: unknown): void {
  if (!isObject(list)) return;
  // Numbers are quantities too (`cpu: 1`); kube stores them as strings.
  for (const [k, v] of Object.entries(list)) if (typeof v === 'string' || typeof v === 'number') list[k] = canonicalQuantity(String(v));
}

function requirements(resources: unknown): void {
  canonicalList(at(resources, 'requests'));
  canonicalList(at(resources, 'limits'));
}

function claimSpec(spec: unknown): void {
  requirements(at(spec, 'resources'));
}

function podSpec(spec: unknown): void {
  if (!isObject(spec)) return;
  for (const list of ['containers', 'initContainers', 'ephemeralContainers']) for (const c of each(spec[list])) requirements(c.resources);
  requirements(spec.resources);
  canonicalList(spec.overhead);
  for (const v of each(spec.volumes)) {
    const emptyDir = v.emptyDir;
    if (isObject(emptyDir) && emptyDir.sizeLimit !== undefined) emptyDir.sizeLimit = canonicalQuantity(String(emptyDir.sizeLimit));
    claimSpec(at(v, 'ephemeral', 'volumeClaimTemplate', 'spec'));
  }
}

export function canonicaliseQuantities(group: string, kind: string, obj: KubeObject): void {
  const spec = obj.spec;
  switch (`${group}/${kind}`) {
    case '/Pod':
      return podSpec(spec);
    case '/PersistentVolumeClaim':
      claimSpec(spec);
      canonicalList(at(obj, 'status', 'capacity'));
      return;
    case 'apps/StatefulSet':
      for (const t of each(at(spec, 'volumeClaimTemplates'))) claimSpec(t.spec);
      return podSpec(at(spec, 'template', 'spec'));
    case 'apps/Deployment':
    case 'apps/ReplicaSet':
    case 'apps/DaemonSet':
    case 'batch/Job':
      return podSpec(at(spec, 'template', 'spec'));
    case 'batch/CronJob':
      return podSpec(at(spec, 'jobTemplate', 'spec', 'template', 'spec'));
    case '/Node':
      canonicalList(at(obj, 'status', 'capacity'));
      canonicalList(at(obj, 'status', 'allocatable'));
      return;
    default:
  }
}
