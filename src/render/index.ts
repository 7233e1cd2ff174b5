/** Rendering: a WebStack as Kubernetes objects. Pure functions, no I/O. */
export { renderStack, renderOptionalObjects, APPLY_ORDER, type StackInputs } from './stack.js';
export type { KubeObject, KubeObjectMeta, OwnerReference } from './object.js';
export {
  SECRET_KEYS, ADMIN_USER, REPLICATION_USER, newDatabaseCredentials, credentialsFromSecretData, credentialsToSecretData,
  type DatabaseCredentials, type RandomBytes,
} from './credentials.js';
export {
  renderServerConfig, renderStartScript, DATABASE_CONFIG_DIR, SERVER_CONFIG_KEY, START_SCRIPT_KEY, DATA_VOLUME_PATH,
  DEFAULT_DATA_DIR, MYSQL_PORT,
} from './mysql-config.js';
export { renderDatabase, renderDatabaseSecret, DATABASE_CONTAINER, DATABASE_UID, DEFAULT_CLUSTER_DOMAIN } from './database.js';
export { renderApps, databaseEnv, APP_CONTAINER, APP_MAX_SURGE } from './apps.js';
export { renderNetworkPolicies } from './network-policy.js';
export { renderLoadBalancer } from './loadbalancer.js';
export { renderCertificate, CERTIFICATE_API_VERSION } from './certificate.js';
export { renderGatewayRoute, GATEWAY_API_GROUP, HTTP_ROUTE_API_VERSION, TLS_ROUTE_API_VERSION } from './gateway-route.js';
export { objectsToYaml } from './yaml.js';
