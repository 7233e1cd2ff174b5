/**
 * Fields kube refuses to change on update for the built-in kinds the stack uses, with kube's
 * wording, so an operator that would be refused by a real cluster is refused here too.
 */
import type { FieldError } from './errors.js';
import { deepEqual, isObject, type JsonObject, type KubeObject } from './types.js';

const STATEFULSET_MUTABLE = ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];

function spec(o: KubeObject): JsonObject {
  return isObject(o.spec) ? o.spec : {};
}

const immutableField = (field: string): FieldError => ({ field, reason: 'FieldValueInvalid', detail: `Invalid value: "object": field is immutable` });

export function immutabilityErrors(group: string, kind: string, old: KubeObject, obj: KubeObject): FieldError[] {
  const errors: FieldError[] = [];
  const key = `${group}/${kind}`;
  const before = spec(old);
  const after = spec(obj);
  if ((key === 'apps/Deployment' || key === 'apps/ReplicaSet') && !deepEqual(before.selector, after.selector)) {
    errors.push({ field: 'spec.selector', reason: 'FieldValueInvalid', detail: `Invalid value: ${JSON.stringify(after.selector ?? null)}: field is immutable` });
  }
  if (key === 'apps/StatefulSet') {
    const strip = (s: JsonObject): JsonObject => Object.fromEntries(Object.entries(s).filter(([k]) => !STATEFULSET_MUTABLE.includes(k)));
    if (!deepEqual(strip(before), strip(after))) {
      errors.push({
        field: 'spec',
        reason: 'FieldValueForbidden',
        detail: "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      });
    }
  }
  if (key === '/Pod') {
    const strip = (s: JsonObject): JsonObject => {
      const out: JsonObject = { ...s, activeDeadlineSeconds: undefined, tolerations: undefined, terminationGracePeriodSeconds: undefined };
      for (const list of ['containers', 'initContainers']) {
        if (Array.isArray(s[list])) out[list] = s[list].map((c) => (isObject(c) ? { ...c, image: undefined } : c));
      }
      return out;
    };
    if (!deepEqual(strip(before), strip(after))) {
      errors.push({
        field: 'spec',
        reason: 'FieldValueForbidden',
        detail: 'Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
      });
    }
  }
  if (key === '/Service' && before.clusterIP && before.clusterIP !== after.clusterIP) {
    errors.push({ field: 'spec.clusterIPs[0]', reason: 'FieldValueInvalid', detail: `Invalid value: ${JSON.stringify(after.clusterIP ?? '')}: may not change once set` });
  }
  if (key === '/PersistentVolumeClaim') {
    // Binding (volumeName) and expansion (resources) are the allowed changes.
    const strip = (s: JsonObject): JsonObject => ({ ...s, resources: undefined, volumeName: undefined });
    if (!deepEqual(strip(before), strip(after))) {
      errors.push({ field: 'spec', reason: 'FieldValueForbidden', detail: 'Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims' });
    }
  }
  if ((key === '/ConfigMap' || key === '/Secret') && old.immutable === true) {
    if (obj.immutable !== true) errors.push({ field: 'immutable', reason: 'FieldValueForbidden', detail: 'Forbidden: field is immutable when `immutable` is set' });
    for (const field of key === '/Secret' ? ['data'] : ['data', 'binaryData']) {
      if (!deepEqual(old[field], obj[field])) errors.push({ field, reason: 'FieldValueForbidden', detail: 'Forbidden: field is immutable when `immutable` is set' });
    }
  }
  if (key === '/Secret' && old.type !== undefined && old.type !== obj.type) errors.push(immutableField('type'));
  return errors;
}

/** At most one owner reference may be the controller. */
export function ownerReferenceErrors(obj: KubeObject): FieldError[] {
  const controllers = (obj.metadata.ownerReferences ?? []).filter((r) => r.controller === true);
  if (controllers.length <= 1) return [];
  return [{
    field: 'metadata.ownerReferences',
    reason: 'FieldValueInvalid',
    detail: `Invalid value: []v1.OwnerReference{${controllers.map((r) => `${r.kind}/${r.name}`).join(', ')}}: Only one reference can have Controller set to true. Found "true" in references for ${controllers.map((r) => `${r.kind}/${r.name}`).join(' and ')}`,
  }];
}
