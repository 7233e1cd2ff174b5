/** The kinds the operator reads and writes, with their REST paths. */
import { GROUP, PLURAL, VERSION } from '../api/types.js';

export interface ResourceType {
  kind: string;
  apiVersion: string;
  plural: string;
  namespaced: boolean;
}

export const WEBSTACK: ResourceType = { kind: 'WebStack', apiVersion: `${GROUP}/${VERSION}`, plural: PLURAL, namespaced: true };
export const LEASE: ResourceType = { kind: 'Lease', apiVersion: 'coordination.k8s.io/v1', plural: 'leases', namespaced: true };
export const EVENT: ResourceType = { kind: 'Event', apiVersion: 'v1', plural: 'events', namespaced: true };
export const POD: ResourceType = { kind: 'Pod', apiVersion: 'v1', plural: 'pods', namespaced: true };

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

export function resourceFor(apiVersion: string, kind: string): ResourceType {
  const t = [...OWNED, WEBSTACK, LEASE, EVENT, POD].find((r) => r.kind === kind && r.apiVersion === apiVersion);
  if (!t) throw new Error(`no resource known for ${apiVersion} ${kind}`);
  return t;
}

/** /api/v1 or /apis/group/version, then the optional namespace, the plural and the optional name. */
export function resourcePath(t: ResourceType, namespace?: string, name?: string): string {
  const base = t.apiVersion.includes('/') ? `/apis/${t.apiVersion}` : `/api/${t.apiVersion}`;
  const ns = t.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${ns}/${t.plural}${name ? `/${encodeURIComponent(name)}` : ''}`;
}

/** "Deployment.apps/ns/name": identity of an object across kinds. */
export function objectKey(o: { apiVersion: string; kind: string; metadata: { namespace?: string; name?: string } }): string {
  const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
  return `${o.kind}${group ? '.' + group : ''}/${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
}
