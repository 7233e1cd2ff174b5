/**
 * The semantic checks kube-apiserver makes on the built-in workloads the operator renders
 * (OpenAPI can't say them): containers named and imaged and unique, a selector that matches
 * the pod template, Service ports, PodDisruptionBudget's either-or. Worded like kube.
 */
import type { FieldError } from './errors.js';
import { selectorString } from './scale.js';
import { labelSelector } from './selectors.js';
import { isObject, type JsonObject, type KubeObject } from './types.js';

const required = (field: string): FieldError => ({ field, reason: 'FieldValueRequired', detail: 'Required value' });
const obj = (v: unknown): JsonObject => (isObject(v) ? v : {});

function podSpecErrors(spec: JsonObject, path: string): FieldError[] {
  const errors: FieldError[] = [];
  const containers = Array.isArray(spec.containers) ? spec.containers : [];
  if (!containers.length) errors.push(required(`${path}.containers`));
  const seen = new Set<string>();
  for (const list of ['initContainers', 'containers']) {
    const items = Array.isArray(spec[list]) ? (spec[list] as unknown[]) : [];
    items.forEach((c, i) => {
      const container = obj(c);
      const at = `${path}.${list}[${i}]`;
      if (typeof container.name !== 'string' || !container.name) errors.push(required(`${at}.name`));
      else if (seen.has(container.name)) errors.push({ field: `${at}.name`, reason: 'FieldValueDuplicate', detail: `Duplicate value: ${JSON.stringify(container.name)}` });
      else seen.add(container.name);
      if (typeof container.image !== 'string' || !container.image) errors.push(required(`${at}.image`));
    });
  }
  return errors;
}

function workloadErrors(o: KubeObject): FieldError[] {
  const spec = obj(o.spec);
  const template = obj(spec.template);
  const labels = obj(obj(template.metadata).labels) as Record<string, string>;
  const errors: FieldError[] = [];
  if (!isObject(spec.selector)) errors.push(required('spec.selector'));
  else {
    const selector = selectorString(spec.selector);
    if (!selector) errors.push({ field: 'spec.selector', reason: 'FieldValueInvalid', detail: 'Invalid value: "null": empty selector is invalid for deployment' });
    else if (!labelSelector(selector)({ metadata: { labels } })) {
      errors.push({ field: 'spec.template.metadata.labels', reason: 'FieldValueInvalid', detail: `Invalid value: ${JSON.stringify(labels)}: \`selector\` does not match template \`labels\`` });
    }
  }
  if (typeof spec.replicas === 'number' && spec.replicas < 0) {
    errors.push({ field: 'spec.replicas', reason: 'FieldValueInvalid', detail: `Invalid value: ${spec.replicas}: must be greater than or equal to 0` });
  }
  return [...errors, ...podSpecErrors(obj(template.spec), 'spec.template.spec')];
}

function serviceErrors(o: KubeObject): FieldError[] {
  const spec = obj(o.spec);
  const errors: FieldError[] = [];
  const ports = Array.isArray(spec.ports) ? spec.ports.map(obj) : [];
  if (!ports.length && spec.clusterIP !== 'None' && spec.type !== 'ExternalName') errors.push(required('spec.ports'));
  const names = new Set<string>();
  ports.forEach((p, i) => {
    if (typeof p.port !== 'number' || p.port < 1 || p.port > 65535) {
      errors.push({ field: `spec.ports[${i}].port`, reason: 'FieldValueInvalid', detail: `Invalid value: ${JSON.stringify(p.port ?? 0)}: must be between 1 and 65535, inclusive` });
    }
    if (ports.length > 1 && !p.name) errors.push(required(`spec.ports[${i}].name`));
    if (typeof p.name === 'string' && p.name) {
      if (names.has(p.name)) errors.push({ field: `spec.ports[${i}].name`, reason: 'FieldValueDuplicate', detail: `Duplicate value: ${JSON.stringify(p.name)}` });
      names.add(p.name);
    }
  });
  return errors;
}

function pdbErrors(o: KubeObject): FieldError[] {
  const spec = obj(o.spec);
  if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined) {
    return [{ field: 'spec', reason: 'FieldValueInvalid', detail: 'Invalid value: "object": minAvailable and maxUnavailable cannot be both set' }];
  }
  return [];
}

export function builtinErrors(group: string, kind: string, o: KubeObject): FieldError[] {
  switch (`${group}/${kind}`) {
    case 'apps/Deployment':
    case 'apps/StatefulSet':
    case 'apps/ReplicaSet':
      return workloadErrors(o);
    case '/Pod':
      return podSpecErrors(obj(o.spec), 'spec');
    case '/Service':
      return serviceErrors(o);
    case 'policy/PodDisruptionBudget':
      return pdbErrors(o);
    default:
      return [];
  }
}
