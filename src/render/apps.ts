/**
 * The app tiers: one Deployment and one headless Service per tier. The headless Service's named
 * port makes the SRV record `_http._tcp.<stack>-<tier>.<ns>.svc` that HAProxy resolves its servers from.
 */
import type { ResolvedApp, ResolvedSpec } from '../api/defaults.js';
import { APP_PORT_NAME, componentSelector, LABEL_TIER, names, stackLabels } from '../api/labels.js';
import type { EnvVar, WebStack } from '../api/types.js';
import { SECRET_KEYS } from './credentials.js';
import { MYSQL_PORT } from './mysql-config.js';
import { ownedMetadata, type KubeObject } from './object.js';
// Types only (erased at build): the compiler checks every field name against the Kubernetes API.
import type { IDeploymentSpec } from 'kubernetes-models/apps/v1/DeploymentSpec';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IServiceSpec } from 'kubernetes-models/v1/ServiceSpec';
import { canonicalResources } from './resources.js';
import { APP_DATABASE_CA_DIR, APP_DATABASE_CA_FILE, appDatabaseCaVolume, DATABASE_TLS_VOLUME } from './database-tls.js';

export const APP_CONTAINER = 'app';
/**
 * Rolling updates add one pod before removing one, so serving capacity never drops below
 * `replicas` (haproxy's server-template slots leave room for the surge).
 */
export const APP_MAX_SURGE = 1;

/** The variables every app pod gets, to reach the database; a user's env entry of the same name wins. */
export function databaseEnv(ws: WebStack, spec: ResolvedSpec): EnvVar[] {
  const stack = ws.metadata.name;
  return [
    { name: 'DATABASE_HOST', value: names.primaryService(stack) },
    { name: 'DATABASE_READ_HOST', value: names.replicasService(stack) },
    { name: 'DATABASE_PORT', value: String(MYSQL_PORT) },
    { name: 'DATABASE_NAME', value: spec.database.databaseName },
    { name: 'DATABASE_USER', value: spec.database.user },
    { name: 'DATABASE_PASSWORD', valueFrom: { secretKeyRef: { name: names.mysqlSecret(stack), key: SECRET_KEYS.appPassword } } },
    // The server requires TLS: clients verify it against the stack's CA bundle, mounted at this path.
    { name: 'DATABASE_SSL_CA', value: APP_DATABASE_CA_FILE },
  ];
}

function appLabels(stack: string, tier: string): Record<string, string> {
  return { ...stackLabels(stack, 'app'), [LABEL_TIER]: tier };
}

function renderAppDeployment(ws: WebStack, spec: ResolvedSpec, app: ResolvedApp): KubeObject {
  const stack = ws.metadata.name;
  const userNames = new Set(app.env.map((e) => e.name));
  const env = [...databaseEnv(ws, spec).filter((e) => !userNames.has(e.name)), ...app.env];
  const probe = { httpGet: { path: app.healthPath, port: APP_PORT_NAME } };
  const container: IContainer = {
    name: APP_CONTAINER,
    image: app.image,
    ports: [{ name: APP_PORT_NAME, containerPort: app.port, protocol: 'TCP' }],
    env,
    readinessProbe: { ...probe, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 2 },
    livenessProbe: { ...probe, initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
    securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
    volumeMounts: [{ name: DATABASE_TLS_VOLUME, mountPath: APP_DATABASE_CA_DIR, readOnly: true }],
  };
  if (app.resources) container.resources = canonicalResources(app.resources);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: ownedMetadata(ws, names.app(stack, app.name), appLabels(stack, app.name)),
    spec: {
      replicas: app.replicas,
      selector: { matchLabels: componentSelector(stack, 'app', app.name) },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: APP_MAX_SURGE } },
      template: {
        metadata: { labels: appLabels(stack, app.name) },
        spec: {
          // The operator's apps are web servers, not API clients: no token in their pods.
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          topologySpreadConstraints: [{
            maxSkew: 1,
            topologyKey: 'kubernetes.io/hostname',
            whenUnsatisfiable: 'ScheduleAnyway',
            labelSelector: { matchLabels: componentSelector(stack, 'app', app.name) },
          }],
          containers: [container],
          volumes: [appDatabaseCaVolume(stack)],
        },
      },
    } satisfies IDeploymentSpec,
  };
}

function renderAppService(ws: WebStack, app: ResolvedApp): KubeObject {
  const stack = ws.metadata.name;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: ownedMetadata(ws, names.app(stack, app.name), appLabels(stack, app.name)),
    spec: {
      clusterIP: 'None',
      selector: componentSelector(stack, 'app', app.name),
      ports: [{ name: APP_PORT_NAME, port: app.port, targetPort: APP_PORT_NAME, protocol: 'TCP' }],
    } satisfies IServiceSpec,
  };
}

export function renderApps(ws: WebStack, spec: ResolvedSpec): KubeObject[] {
  return spec.apps.flatMap((app) => [renderAppService(ws, app), renderAppDeployment(ws, spec, app)]);
}
