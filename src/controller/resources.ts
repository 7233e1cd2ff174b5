/** The kinds the WebStack controller reads and writes. */
import { BACKUP_KIND, BACKUP_PLURAL } from '../api/backup-types.js';
import { GROUP, PLURAL, VERSION } from '../api/types.js';
import { EVENT, LEASE, POD, type ResourceType } from '../kube/resource-type.js';

export const WEBSTACK: ResourceType = { kind: 'WebStack', apiVersion: `${GROUP}/${VERSION}`, plural: PLURAL, namespaced: true };
export const WEBSTACKBACKUP: ResourceType = { kind: BACKUP_KIND, apiVersion: `${GROUP}/${VERSION}`, plural: BACKUP_PLURAL, namespaced: true };

/** Every kind a WebStack owns; the controller watches each and may delete those it no longer wants. */
export const OWNED: readonly ResourceType[] = [
  { kind: 'Secret', apiVersion: 'v1', plural: 'secrets', namespaced: true },
  { kind: 'ConfigMap', apiVersion: 'v1', plural: 'configmaps', namespaced: true },
  { kind: 'Service', apiVersion: 'v1', plural: 'services', namespaced: true },
  { kind: 'Deployment', apiVersion: 'apps/v1', plural: 'deployments', namespaced: true },
  { kind: 'StatefulSet', apiVersion: 'apps/v1', plural: 'statefulsets', namespaced: true },
  { kind: 'PodDisruptionBudget', apiVersion: 'policy/v1', plural: 'poddisruptionbudgets', namespaced: true },
  { kind: 'NetworkPolicy', apiVersion: 'networking.k8s.io/v1', plural: 'networkpolicies', namespaced: true },
];

/** The kinds whose status a reconcile reads (the stack's own, its workloads', its load balancer address): the caches drop every other status. */
export const STATUS_READ: ReadonlySet<string> = new Set(['WebStack', 'Deployment', 'StatefulSet', 'Service']);

export function resourceFor(apiVersion: string, kind: string): ResourceType {
  const t = [...OWNED, WEBSTACK, WEBSTACKBACKUP, LEASE, EVENT, POD].find((r) => r.kind === kind && r.apiVersion === apiVersion);
  if (!t) throw new Error(`no resource known for ${apiVersion} ${kind}`);
  return t;
}
