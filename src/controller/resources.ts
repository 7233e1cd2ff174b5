/** The kinds the WebStack controller reads and writes. */
import { BACKUP_KIND, BACKUP_PLURAL } from '../api/backup-types.js';
import { GROUP, PLURAL, VERSION } from '../api/types.js';
import { LABEL_COMPONENT } from '../api/labels.js';
import { CERTIFICATE_API_VERSION } from '../render/certificate.js';
import type { KubeObject } from '../render/object.js';
import { HTTP_ROUTE_API_VERSION, TLS_ROUTE_API_VERSION } from '../render/gateway-route.js';
import { EVENT, LEASE, POD, type ResourceType } from '../kube/resource-type.js';
import type { SlimOptions } from '../kube/cache-transform.js';
import { MANAGER } from '../api/labels.js';
import { holdsLastApply } from './applied-hash.js';

export const WEBSTACK: ResourceType = { kind: 'WebStack', apiVersion: `${GROUP}/${VERSION}`, plural: PLURAL, namespaced: true };
export const WEBSTACKBACKUP: ResourceType = { kind: BACKUP_KIND, apiVersion: `${GROUP}/${VERSION}`, plural: BACKUP_PLURAL, namespaced: true };

/** Every kind a WebStack owns; the controller watches each and may delete those it no longer wants. */
export const OWNED: readonly ResourceType[] = [
  { kind: 'Secret', apiVersion: 'v1', plural: 'secrets', namespaced: true },
  { kind: 'ConfigMap', apiVersion: 'v1', plural: 'configmaps', namespaced: true },
  { kind: 'Service', apiVersion: 'v1', plural: 'services', namespaced: true },
  // Watched for the stack's backup volume, which it keeps without owning (render/backup-store.ts): never deleted.
  { kind: 'PersistentVolumeClaim', apiVersion: 'v1', plural: 'persistentvolumeclaims', namespaced: true },
  { kind: 'Deployment', apiVersion: 'apps/v1', plural: 'deployments', namespaced: true },
  { kind: 'StatefulSet', apiVersion: 'apps/v1', plural: 'statefulsets', namespaced: true },
  { kind: 'PodDisruptionBudget', apiVersion: 'policy/v1', plural: 'poddisruptionbudgets', namespaced: true },
  { kind: 'NetworkPolicy', apiVersion: 'networking.k8s.io/v1', plural: 'networkpolicies', namespaced: true },
];

/** A kind of another project's CRD, which a cluster may lack: applied only while served (src/kube/discovery.ts), never cached. */
export interface OptionalKind {
  type: ResourceType;
  /** The field of the spec that asks for an object of this kind. */
  field: (o: KubeObject) => string;
  /** The condition reason while it is not served. */
  missingReason: 'GatewayAPINotInstalled' | 'CertManagerNotInstalled';
  /** What to install for it. */
  install: string;
}

export const HTTPROUTE: ResourceType = { kind: 'HTTPRoute', apiVersion: HTTP_ROUTE_API_VERSION, plural: 'httproutes', namespaced: true };
export const TLSROUTE: ResourceType = { kind: 'TLSRoute', apiVersion: TLS_ROUTE_API_VERSION, plural: 'tlsroutes', namespaced: true };
export const CERTIFICATE: ResourceType = { kind: 'Certificate', apiVersion: CERTIFICATE_API_VERSION, plural: 'certificates', namespaced: true };

export const OPTIONAL: readonly OptionalKind[] = [
  { type: HTTPROUTE, field: () => 'spec.loadBalancer.gateway', missingReason: 'GatewayAPINotInstalled', install: 'the Gateway API CRDs (standard channel)' },
  { type: TLSROUTE, field: () => 'spec.loadBalancer.gateway', missingReason: 'GatewayAPINotInstalled', install: 'the Gateway API CRDs of the experimental channel (TLSRoute, for TLS passthrough)' },
  {
    type: CERTIFICATE,
    field: (o) => (o.metadata.labels?.[LABEL_COMPONENT] === 'database' ? 'spec.database.tls.issuerRef' : 'spec.loadBalancer.tls.issuerRef'),
    missingReason: 'CertManagerNotInstalled',
    install: 'cert-manager, or leave issuerRef out',
  },
];

/** The kinds whose status a reconcile reads (the stack's own, its workloads', its load balancer address): the caches drop every other status. */
export const STATUS_READ: ReadonlySet<string> = new Set(['WebStack', 'Deployment', 'StatefulSet', 'Service']);

/**
 * The owned kinds a reconcile only compares with what it renders, with the fields some reader uses
 * (the workloads' sizes and update strategy for the status, the volume claims for immutable fields,
 * the backup claim's size and class). Secrets are not among them: their values are read.
 */
const APPLIED_ONLY: ReadonlyMap<string, readonly string[]> = new Map([
  ['Deployment', ['spec.replicas']],
  ['StatefulSet', ['spec.replicas', 'spec.updateStrategy.type', 'spec.volumeClaimTemplates']],
  ['PersistentVolumeClaim', ['spec.storageClassName', 'spec.resources.requests']],
  ['Service', []],
  ['ConfigMap', []],
  ['NetworkPolicy', []],
  ['PodDisruptionBudget', []],
]);

/** What a reconcile compares a desired object with: the cache's view, with the content of every object kept. */
export const COMPARED_SLIM: SlimOptions = { statusRead: STATUS_READ, dataCompared: new Set(['ConfigMap']) };

/**
 * What the operator's caches keep (src/kube/cache-transform.ts): the statuses above; of ConfigMaps
 * (start script, server configuration, haproxy.cfg: 10 KB a stack) only a digest of each value; and
 * of the kinds above that hold exactly what the operator last applied, only their metadata and read fields.
 */
export const CACHE_SLIM: SlimOptions = { ...COMPARED_SLIM, appliedOnly: { read: APPLIED_ONLY, holdsLastApply: (o) => holdsLastApply(o, MANAGER) } };

export function resourceFor(apiVersion: string, kind: string): ResourceType {
  const t = [...OWNED, ...OPTIONAL.map((o) => o.type), WEBSTACK, WEBSTACKBACKUP, LEASE, EVENT, POD].find((r) => r.kind === kind && r.apiVersion === apiVersion);
  if (!t) throw new Error(`no resource known for ${apiVersion} ${kind}`);
  return t;
}
