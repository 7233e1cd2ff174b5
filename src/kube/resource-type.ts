/** A kind of Kubernetes object as the client addresses it: its REST path and identity. */

export interface ResourceType {
  kind: string;
  apiVersion: string;
  plural: string;
  namespaced: boolean;
}

export const LEASE: ResourceType = { kind: 'Lease', apiVersion: 'coordination.k8s.io/v1', plural: 'leases', namespaced: true };
export const EVENT: ResourceType = { kind: 'Event', apiVersion: 'v1', plural: 'events', namespaced: true };
export const POD: ResourceType = { kind: 'Pod', apiVersion: 'v1', plural: 'pods', namespaced: true };

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
