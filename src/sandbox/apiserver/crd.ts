/** The checks kube makes on a CustomResourceDefinition before serving it. */
import { celCostErrors } from './cel-cost.js';
import type { FieldError } from './errors.js';
import { isObject, type JsonObject, type KubeObject } from './types.js';

export function validateCrd(crd: KubeObject): FieldError[] {
  const errors: FieldError[] = [];
  const spec = isObject(crd.spec) ? crd.spec : {};
  const names = isObject(spec.names) ? spec.names : {};
  const required = (field: string, value: unknown): void => {
    if (typeof value !== 'string' || !value) errors.push({ field, reason: 'FieldValueRequired', detail: 'Required value' });
  };
  required('spec.group', spec.group);
  required('spec.names.plural', names.plural);
  required('spec.names.kind', names.kind);
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') {
    errors.push({ field: 'spec.scope', reason: 'FieldValueNotSupported', detail: `Unsupported value: ${JSON.stringify(spec.scope ?? '')}: supported values: "Cluster", "Namespaced"` });
  }
  const expected = `${String(names.plural ?? '')}.${String(spec.group ?? '')}`;
  if (crd.metadata.name !== expected) {
    errors.push({ field: 'metadata.name', reason: 'FieldValueInvalid', detail: `Invalid value: ${JSON.stringify(crd.metadata.name)}: must be spec.names.plural+"."+spec.group` });
  }
  const versions = Array.isArray(spec.versions) ? spec.versions.filter(isObject) : [];
  if (!versions.length) errors.push({ field: 'spec.versions', reason: 'FieldValueInvalid', detail: 'Invalid value: "array": must have exactly one version marked as storage version' });
  else if (versions.filter((v) => v.storage === true).length !== 1) {
    errors.push({ field: 'spec.versions', reason: 'FieldValueInvalid', detail: 'Invalid value: "array": must have exactly one version marked as storage version' });
  }
  versions.forEach((v, i) => {
    const schema = isObject(v.schema) ? v.schema.openAPIV3Schema : undefined;
    if (!isObject(schema)) errors.push({ field: `spec.versions[${i}].schema.openAPIV3Schema`, reason: 'FieldValueRequired', detail: 'Required value: schemas are required' });
    // kube reports a schema all versions share as spec.validation.
    else {
      const path = versions.length === 1 ? 'spec.validation.openAPIV3Schema' : `spec.versions[${i}].schema.openAPIV3Schema`;
      errors.push(...celCostErrors(schema, path), ...listMapKeyErrors(schema, path));
    }
  });
  return errors;
}

/** A map list's keys must be properties of its items, as kube's structural schema check says. */
function listMapKeyErrors(schema: JsonObject, path: string): FieldError[] {
  const errors: FieldError[] = [];
  const keys = schema['x-kubernetes-list-map-keys'];
  const items = isObject(schema.items) ? schema.items : {};
  const itemProperties = isObject(items.properties) ? items.properties : {};
  if (Array.isArray(keys) && !keys.every((k) => typeof k === 'string' && k in itemProperties)) {
    errors.push({ field: `${path}.x-kubernetes-list-map-keys`, reason: 'FieldValueInvalid', detail: `Invalid value: ${JSON.stringify(keys)}: entries must all be names of item properties` });
  }
  const properties = isObject(schema.properties) ? schema.properties : {};
  for (const [name, child] of Object.entries(properties)) {
    if (isObject(child)) errors.push(...listMapKeyErrors(child, `${path}.properties[${name}]`));
  }
  if (isObject(schema.items)) errors.push(...listMapKeyErrors(schema.items, `${path}.items`));
  return errors;
}

/** The status kube reports for an accepted CRD: names accepted, Established, and the versions ever stored. */
export function crdStatus(crd: KubeObject, time: string): { acceptedNames: unknown; conditions: JsonObject[]; storedVersions: string[] } {
  const spec = isObject(crd.spec) ? crd.spec : {};
  const versions = Array.isArray(spec.versions) ? spec.versions.filter(isObject) : [];
  const stored = versions.filter((v) => v.storage === true).map((v) => String(v.name));
  const previous = isObject(crd.status) && Array.isArray(crd.status.storedVersions) ? crd.status.storedVersions.map(String) : [];
  return {
    acceptedNames: spec.names,
    conditions: [
      { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found', lastTransitionTime: time },
      { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted', lastTransitionTime: time },
    ],
    storedVersions: [...new Set([...previous, ...stored])],
  };
}
