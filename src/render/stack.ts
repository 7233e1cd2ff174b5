/**
 * A whole WebStack as the Kubernetes objects it should consist of. Pure: the caller validates the
 * WebStack first and supplies the database credentials (from the existing Secret, or new ones once).
 */
import { resolveSpec } from '../api/defaults.js';
import type { WebStack } from '../api/types.js';
import { renderApps } from './apps.js';
import { renderBackupStore, type BackupStoreInputs } from './backup-store.js';
import { renderCertificate, renderDatabaseCertificate } from './certificate.js';
import { renderGatewayRoute } from './gateway-route.js';
import type { DatabaseCredentials } from './credentials.js';
import type { DatabaseCertificates } from '../pki/database-certificates.js';
import { DEFAULT_CLUSTER_DOMAIN, renderDatabase } from './database.js';
import { renderLoadBalancer } from './loadbalancer.js';
import { renderNetworkPolicies } from './network-policy.js';
import type { KubeObject } from './object.js';

export interface StackInputs {
  /** From the existing database Secret; new ones (newDatabaseCredentials) only when it doesn't exist. */
  credentials: DatabaseCredentials;
  /**
   * The database CA and server certificate, from the stack's Secrets (src/pki/database-certificates.ts keeps or renews them);
   * none when cert-manager writes them (database.tls.issuerRef, renderOptionalObjects).
   */
  certificates?: DatabaseCertificates;
  /** The cluster's DNS domain (default cluster.local), for SRV records and the database pods' report_host. */
  clusterDomain?: string;
  /** The token of HAProxy's admin frontend: from its existing Secret, a new one (newAdminToken) only when it doesn't exist. */
  haproxyAdminToken: string;
  /** tlsChecksum() of the TLS Secret, read by the caller, so a renewed certificate rolls HAProxy onto it. */
  tlsChecksum?: string;
  /** The image of the agent in each database pod (the operator's own, `--agent-image`); none without it. */
  agentImage?: string;
  /** The backup store's token and image (the operator's own, `--backup-store-image`), for a stack whose backups go to its volume. */
  backupStore?: BackupStoreInputs;
  /** The image of the mysqld-exporter sidecar in each database pod (`--mysqld-exporter-image`); none without it. */
  exporterImage?: string;
}

/**
 * Apply order: what pods mount or read first, the policies that guard them before any pod runs,
 * then Services so DNS names exist when the workloads start, the database before the apps.
 */
export const APPLY_ORDER = [
  'Secret', 'ConfigMap', 'NetworkPolicy', 'PodDisruptionBudget', 'Service', 'PersistentVolumeClaim', 'StatefulSet', 'Deployment',
] as const;

function applyRank(kind: string): number {
  const rank = (APPLY_ORDER as readonly string[]).indexOf(kind);
  return rank < 0 ? APPLY_ORDER.length : rank;
}

/** Every object of the stack, in apply order (stable within a kind), each in the WebStack's namespace. */
export function renderStack(ws: WebStack, inputs: StackInputs): KubeObject[] {
  const spec = resolveSpec(ws);
  const objects = [
    ...renderLoadBalancer(ws, spec, { adminToken: inputs.haproxyAdminToken, clusterDomain: inputs.clusterDomain, tlsChecksum: inputs.tlsChecksum }),
    ...renderApps(ws, spec),
    ...renderDatabase(ws, spec, inputs.credentials, inputs.certificates, inputs.clusterDomain, { agentImage: inputs.agentImage, exporterImage: inputs.exporterImage }),
    ...renderNetworkPolicies(ws, spec),
    ...(inputs.backupStore ? renderBackupStore(ws, inputs.backupStore) : []),
  ];
  // Array.prototype.sort is stable: within a kind, the order the renderers chose is kept.
  return objects.sort((a, b) => applyRank(a.kind) - applyRank(b.kind));
}

/**
 * The stack's objects of other projects' APIs (a Gateway API route, a cert-manager Certificate):
 * apart from renderStack because a cluster may not serve them (the controller checks first).
 */
export function renderOptionalObjects(ws: WebStack, clusterDomain = DEFAULT_CLUSTER_DOMAIN): KubeObject[] {
  const spec = resolveSpec(ws);
  return [renderGatewayRoute(ws, spec), renderCertificate(ws, spec), renderDatabaseCertificate(ws, spec, clusterDomain)].filter((o) => o !== undefined);
}
