/**
 * The fields each kind can be selected by (kube's field label conversion funcs), so a field
 * selector that a real cluster would refuse is refused here too: 400 "field label not supported".
 */
import { badRequest } from './errors.js';
import type { ResourceType } from './resource-type.js';
import { parseFieldSelector } from './selectors.js';

const COMMON = ['metadata.name', 'metadata.namespace'];

const BUILTIN: Record<string, string[]> = {
  '/pods': ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.podIPs', 'status.nominatedNodeName'],
  '/events': ['involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid', 'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type'],
  'events.k8s.io/events': ['regarding.kind', 'regarding.namespace', 'regarding.name', 'regarding.uid', 'regarding.apiVersion', 'regarding.resourceVersion', 'regarding.fieldPath', 'reason', 'reportingController', 'type'],
  '/secrets': ['type'],
  '/namespaces': ['status.phase'],
  'apps/replicasets': ['status.replicas'],
};

export function supportedFieldLabels(type: ResourceType): string[] {
  return [...COMMON, ...(BUILTIN[`${type.group}/${type.plural}`] ?? []), ...type.selectableFields];
}

export function checkFieldSelector(type: ResourceType, selector: string | undefined): void {
  const allowed = supportedFieldLabels(type);
  for (const req of parseFieldSelector(selector)) {
    if (!allowed.includes(req.path)) throw badRequest(`field label not supported: ${req.path}`);
  }
}
