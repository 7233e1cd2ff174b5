/** Names and labels of everything a WebStack owns: the one place that spells them. */

export const LABEL_NAME = 'app.kubernetes.io/name';
export const LABEL_INSTANCE = 'app.kubernetes.io/instance';
export const LABEL_COMPONENT = 'app.kubernetes.io/component';
export const LABEL_PART_OF = 'app.kubernetes.io/part-of';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
/** The WebStack an object belongs to. */
export const LABEL_STACK = 'webstack.dev/stack';
/** The app tier of an app pod. */
export const LABEL_TIER = 'webstack.dev/tier';
/** Database role, moved by the operator: primary | replica | quarantined | fenced. */
export const LABEL_ROLE = 'webstack.dev/role';

export const MANAGER = 'webstack-operator';
export const ANNOTATION_CONFIG_CHECKSUM = 'webstack.dev/config-checksum';
/** On a WebStack: database pods a user fenced (src/api/fencing.ts), comma-separated. */
export const ANNOTATION_FENCED_INSTANCES = 'webstack.dev/fenced-instances';
/** A hash of the object as the operator last applied it (src/controller/applied-hash.ts). */
export const ANNOTATION_APPLIED_HASH = 'webstack.dev/applied-hash';
/** Digest of the TLS Secret's certificate and key on HAProxy's pod template: a renewal rolls the pods onto it. */
export const ANNOTATION_TLS_CHECKSUM = 'webstack.dev/tls-checksum';
/**
 * What the database StatefulSet was made for (engine, app database, app user): the operator
 * compares the spec against them, so an immutable field is refused even without the CRD's rules.
 */
export const ANNOTATION_ENGINE = 'webstack.dev/engine';
export const ANNOTATION_DATABASE_NAME = 'webstack.dev/database-name';
export const ANNOTATION_DATABASE_USER = 'webstack.dev/database-user';
/** The named port of an app tier's headless Service: haproxy finds pods through its SRV record `_http._tcp.<svc>`. */
export const APP_PORT_NAME = 'http';

export type Component = 'loadbalancer' | 'app' | 'database' | 'backup-store';

export const ROLE_PRIMARY = 'primary';
export const ROLE_REPLICA = 'replica';

export const names = {
  haproxy: (stack: string) => `${stack}-haproxy`,
  haproxyConfig: (stack: string) => `${stack}-haproxy`,
  /** The token the operator presents to haproxy's admin frontend (run-time weights). */
  haproxyAdminSecret: (stack: string) => `${stack}-haproxy-admin`,
  app: (stack: string, tier: string) => `${stack}-${tier}`,
  mysql: (stack: string) => `${stack}-mysql`,
  mysqlHeadless: (stack: string) => `${stack}-mysql`,
  mysqlConfig: (stack: string) => `${stack}-mysql`,
  mysqlSecret: (stack: string) => `${stack}-mysql`,
  /** The database CA (certificate and key): read by the operator only, never mounted. */
  mysqlCaSecret: (stack: string) => `${stack}-mysql-ca`,
  /** The database server certificate, its key and the CA bundle: mounted by database pods (apps mount the bundle only). */
  mysqlTlsSecret: (stack: string) => `${stack}-mysql-tls`,
  /** The mysqld-exporter sidecars' client configuration (its account's password): mounted by database pods. */
  mysqlExporterSecret: (stack: string) => `${stack}-mysql-exporter`,
  primaryService: (stack: string) => `${stack}-mysql-primary`,
  replicasService: (stack: string) => `${stack}-mysql-replicas`,
  mysqlPod: (stack: string, ordinal: number) => `${stack}-mysql-${ordinal}`,
  networkPolicy: (stack: string, purpose: string) => `${stack}-${purpose}`,
  /** The stack's backup volume (storage `volume`): kept when the stack is deleted. */
  backupVolume: (stack: string) => `${stack}-backups`,
  /** The Deployment serving the backup volume to the operator, and its token's Secret. */
  backupStore: (stack: string) => `${stack}-backup-store`,
  backupStoreSecret: (stack: string) => `${stack}-backup-store`,
  /** The `n`-th save of a diverged instance's own transactions, before its rebuild. */
  errantTransactions: (stack: string, instance: string, n: number) => `${stack}-errant-${instance}-${n}`,
};

const COMPONENT_NAMES: Record<Component, string> = { database: 'mysql', loadbalancer: 'haproxy', app: 'app', 'backup-store': 'backup-store' };

/** Labels every object of a stack carries. */
export function stackLabels(stack: string, component: Component): Record<string, string> {
  return {
    [LABEL_NAME]: COMPONENT_NAMES[component],
    [LABEL_INSTANCE]: stack,
    [LABEL_COMPONENT]: component,
    [LABEL_PART_OF]: 'webstack',
    [LABEL_MANAGED_BY]: MANAGER,
    [LABEL_STACK]: stack,
  };
}

/** The smallest stable selector for a component's pods (selectors are immutable, so keep them minimal). */
export function componentSelector(stack: string, component: Component, tier?: string): Record<string, string> {
  const sel: Record<string, string> = { [LABEL_STACK]: stack, [LABEL_COMPONENT]: component };
  if (tier) sel[LABEL_TIER] = tier;
  return sel;
}
