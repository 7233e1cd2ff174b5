/** Pure rules of a write: what bumps generation, what counts as no change, grace periods, generated names. */
import type { ResourceType } from './resource-type.js';
import { clone, deepEqual, isObject, type KubeObject } from './types.js';

/** Seconds a bound pod gets to stop: its terminationGracePeriodSeconds, 30 by default. */
export function podGrace(obj: KubeObject): number {
  const spec = isObject(obj.spec) ? obj.spec : {};
  return typeof spec.terminationGracePeriodSeconds === 'number' ? spec.terminationGracePeriodSeconds : 30;
}

/** Generation moves when anything but metadata (and status, when it is a subresource) changes. */
export function changedBeyondMetadata(type: ResourceType, old: KubeObject, obj: KubeObject): boolean {
  const strip = (o: KubeObject): Record<string, unknown> => {
    const { metadata: _m, apiVersion: _a, kind: _k, ...rest } = o;
    if (type.statusSubresource) delete rest.status;
    return rest;
  };
  return !deepEqual(strip(old), strip(obj));
}

/** The object without what every write changes anyway, to tell a no-op write. */
export function withoutVolatile(o: KubeObject): KubeObject {
  const c = clone(o);
  delete c.metadata.resourceVersion;
  delete c.metadata.managedFields;
  return c;
}

/** A manager whose fields did not change keeps its timestamp, so re-sending the same thing is a no-op. */
export function keepManagerTimes(old: KubeObject, obj: KubeObject): void {
  for (const entry of obj.metadata.managedFields ?? []) {
    const before = (old.metadata.managedFields ?? []).find(
      (m) => m.manager === entry.manager && m.operation === entry.operation && m.subresource === entry.subresource,
    );
    if (before && deepEqual(before.fieldsV1, entry.fieldsV1) && before.apiVersion === entry.apiVersion) entry.time = before.time;
  }
}

/** The 5 characters kube appends to a generateName. */
export function randomSuffix(): string {
  const chars = 'bcdfghjklmnpqrstvwxz2456789';
  return Array.from({ length: 5 }, () => chars[Math.floor(Math.random() * chars.length)]).join('');
}
