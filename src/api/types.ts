/** The WebStack API, webstack.dev/v1alpha1. Field names are the user-facing contract. */
import type { BackupSpec, RestoreSpec } from './backup-types.js';

export const GROUP = 'webstack.dev';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const KIND = 'WebStack';
export const PLURAL = 'webstacks';
export const SINGULAR = 'webstack';
export const SHORT_NAMES = ['ws'];
/**
 * The category of both kinds (`kubectl get webstack-all`). Never a name of either kind: kubectl
 * expands a category before it resolves a singular name, so a category `webstack` turned
 * `kubectl delete webstack NAME` into a delete across kinds that kubectl refuses.
 */
export const CATEGORY = 'webstack-all';

export type BalanceAlgorithm = 'roundrobin' | 'static-rr' | 'leastconn' | 'source' | 'first' | 'random';
export const BALANCE_ALGORITHMS: readonly BalanceAlgorithm[] = ['roundrobin', 'static-rr', 'leastconn', 'source', 'first', 'random'];

export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer';
export const SERVICE_TYPES: readonly ServiceType[] = ['ClusterIP', 'NodePort', 'LoadBalancer'];

export type DatabaseEngine = 'mysql' | 'mariadb';
export const DATABASE_ENGINES: readonly DatabaseEngine[] = ['mysql', 'mariadb'];

export type ReplicationMode = 'semisync' | 'async';
export const REPLICATION_MODES: readonly ReplicationMode[] = ['semisync', 'async'];

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: Record<string, unknown>;
}

export interface ResourceRequirements {
  requests?: Record<string, string>;
  limits?: Record<string, string>;
}

export interface LoadBalancerServiceSpec {
  type?: ServiceType;
  port?: number;
  tlsPort?: number;
  loadBalancerSourceRanges?: string[];
  annotations?: Record<string, string>;
}

/** A cert-manager issuer (cert-manager.io/v1 Certificate spec.issuerRef). */
export interface IssuerRef {
  name: string;
  kind?: string;
  group?: string;
}

export interface TlsSpec {
  /** A kubernetes.io/tls Secret in the WebStack's namespace; cert-manager writes it when issuerRef is set. */
  secretName: string;
  issuerRef?: IssuerRef;
  redirectHttp?: boolean;
  hstsMaxAgeSeconds?: number;
}

/** A Gateway the route attaches to (Gateway API ParentReference, kind Gateway). */
export interface GatewayParentRef {
  name: string;
  /** Defaults to the WebStack's namespace; another namespace's Gateway must allow the route. */
  namespace?: string;
  /** A listener of the Gateway, by name. */
  sectionName?: string;
  /** A listener of the Gateway, by port. */
  port?: number;
}

/**
 * Publish the stack through Gateway API Gateways instead of a cloud load balancer: an HTTPRoute
 * to HAProxy's HTTP port, or, when HAProxy terminates TLS, a TLSRoute passing TLS through to it.
 */
export interface GatewaySpec {
  parentRefs: GatewayParentRef[];
  hostnames?: string[];
}

export interface HealthCheckSpec {
  path?: string;
  intervalSeconds?: number;
  fall?: number;
  rise?: number;
}

export interface LoadBalancerSpec {
  replicas?: number;
  algorithm?: BalanceAlgorithm;
  image?: string;
  service?: LoadBalancerServiceSpec;
  tls?: TlsSpec;
  gateway?: GatewaySpec;
  healthCheck?: HealthCheckSpec;
  resources?: ResourceRequirements;
}

export interface AppSpec {
  name: string;
  image: string;
  replicas?: number;
  port?: number;
  weight?: number;
  backup?: boolean;
  env?: EnvVar[];
  resources?: ResourceRequirements;
  /** Overrides loadBalancer.healthCheck.path for this tier. */
  healthPath?: string;
}

export interface StorageSpec {
  size?: string;
  storageClassName?: string;
}

export interface ReplicationSpec {
  mode?: ReplicationMode;
  /** Semi-sync ack timeout; long so that the primary never silently degrades to async. */
  semiSyncTimeoutSeconds?: number;
}

export interface FailoverSpec {
  enabled?: boolean;
  failureThresholdSeconds?: number;
}

/** The database servers' TLS, always on: who signs their certificate. */
export interface DatabaseTlsSpec {
  /**
   * A cert-manager issuer signs the servers' certificate instead of the stack's own CA: cert-manager
   * writes and renews `<stack>-mysql-tls`, whose ca.crt servers, replicas and apps trust.
   */
  issuerRef?: IssuerRef;
}

export interface DatabaseSpec {
  engine?: DatabaseEngine;
  image?: string;
  replicas?: number;
  storage?: StorageSpec;
  replication?: ReplicationSpec;
  failover?: FailoverSpec;
  tls?: DatabaseTlsSpec;
  /** A pod name (`<name>-mysql-N`); changing it requests a planned switchover. */
  primary?: string;
  databaseName?: string;
  user?: string;
  resources?: ResourceRequirements;
  backup?: BackupSpec;
  restore?: RestoreSpec;
}

export interface NetworkPolicySpec {
  enabled?: boolean;
  /** Namespace of the operator, allowed to reach MySQL. */
  operatorNamespace?: string;
  /** Namespaces (Prometheus) allowed to reach HAProxy's stats and metrics port; none by default. */
  statsFromNamespaces?: string[];
}

export interface WebStackSpec {
  loadBalancer?: LoadBalancerSpec;
  apps: AppSpec[];
  database?: DatabaseSpec;
  networkPolicy?: NetworkPolicySpec;
}

/** metav1.Condition */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export interface AppStatus {
  name: string;
  replicas: number;
  readyReplicas: number;
}

export type InstanceRole = 'primary' | 'replica' | 'quarantined' | 'fenced' | 'unknown';

export interface InstanceStatus {
  name: string;
  role: InstanceRole;
  ready: boolean;
  lagSeconds?: number;
  gtidExecuted?: string;
  errantGtids?: string;
  message?: string;
}

export interface FailoverRecord {
  from: string;
  to: string;
  reason: string;
  startedAt: string;
  durationMs: number;
  kind?: 'failover' | 'switchover';
}

/** An instance being rebuilt from a donor's physical copy (one per stack at a time). */
export interface RebuildRecord {
  instance: string;
  donor: string;
  reason: string;
  startedAt: string;
  /** The target's latest rebuild before this one (MySQL: its last clone's begin time). */
  previous?: string;
}

/** The rebuilds of one instance so far; further ones back off. */
export interface RebuildAttemptsRecord {
  instance: string;
  count: number;
  lastStartedAt: string;
  /** Why the latest failed or was abandoned; absent once one completed. */
  lastError?: string;
}

/** A diverged instance's own transactions, saved before its rebuild replaced them. */
export interface SavedErrantRecord {
  instance: string;
  gtids: string;
  /** The ConfigMap holding the GTIDs and the binlog events. */
  configMap: string;
  savedAt: string;
}

export interface DatabaseStatus {
  primary?: string;
  instances?: InstanceStatus[];
  lastFailover?: FailoverRecord;
  /** Set once the app database, app user and replication user exist on the primary. */
  bootstrapped?: boolean;
  /** Set once the mysqld-exporter account exists on the primary. */
  exporterAccount?: boolean;
  rebuild?: RebuildRecord;
  rebuildAttempts?: RebuildAttemptsRecord[];
  errantTransactionsSaved?: SavedErrantRecord[];
}

/** A restore into this (new) stack, as the operator carried it out. */
export interface RestoreStatus {
  phase: 'Running' | 'Completed' | 'Failed';
  /** The WebStackBackup restored. */
  backup?: string;
  pointInTime?: string;
  completionTime?: string;
  attempts?: number;
  message?: string;
}

export interface BackupStatusSummary {
  lastScheduleTime?: string;
  lastSuccessTime?: string;
  /** The window a restore can reach from the stack's backups and binlog archive. */
  recoverableFrom?: string;
  recoverableUntil?: string;
}

export interface WebStackStatus {
  observedGeneration?: number;
  conditions?: Condition[];
  apps?: AppStatus[];
  /** Ready pods per tier for `kubectl get`, e.g. "web 3/3, standby 1/1". */
  appsSummary?: string;
  loadBalancer?: { address?: string; readyReplicas?: number };
  database?: DatabaseStatus;
  restore?: RestoreStatus;
  backup?: BackupStatusSummary;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  creationTimestamp?: string;
  deletionTimestamp?: string;
}

export interface WebStack {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND;
  metadata: ObjectMeta;
  spec: WebStackSpec;
  status?: WebStackStatus;
}
