/**
 * The HAProxy load balancer of a stack: its haproxy.cfg ConfigMap, a Deployment of 2+ pods spread
 * over nodes and zones, the Service clients reach, a PodDisruptionBudget, and the Secret holding
 * the token of its admin frontend (run-time weights).
 */
import { createHash } from 'node:crypto';
import type { ResolvedSpec } from '../api/defaults.js';
import { ANNOTATION_CONFIG_CHECKSUM, ANNOTATION_TLS_CHECKSUM, componentSelector, names, stackLabels } from '../api/labels.js';
import type { ResourceRequirements, WebStack } from '../api/types.js';
import {
  HAPROXY_BACKEND, HAPROXY_CONFIG_DIR, HAPROXY_HARD_STOP_AFTER_SECONDS, HAPROXY_LIVE_PATH, HAPROXY_PORTS, HAPROXY_READY_PATH,
  HAPROXY_RUNTIME_DIR, HAPROXY_TLS_CERT_PATH, HAPROXY_TLS_KEY_SUFFIX, renderHaproxyConfig,
} from './haproxy-config.js';
import { HAPROXY_ADMIN_TOKEN_ENV, HAPROXY_ADMIN_TOKEN_KEY, HAPROXY_WEIGHTS_LUA_KEY, weightsLua, weightsSetLive } from './haproxy-weights.js';
import { ownedMetadata, podDisruptionBudget, type KubeObject } from './object.js';
import { canonicalResources } from './resources.js';

export const HAPROXY_CONTAINER = 'haproxy';
/** The key of haproxy.cfg in the ConfigMap, and the file name where the pod mounts it. */
export const HAPROXY_CONFIG_KEY = 'haproxy.cfg';
export { HAPROXY_CONFIG_DIR };
/** The uid/gid of the official image's `haproxy` user. */
export const HAPROXY_UID = 99;
/** Container port names, also the Service's target ports. */
export const HAPROXY_PORT_NAMES = { http: 'http', https: 'https', stats: 'stats', admin: 'admin' } as const;

const DEFAULT_RESOURCES: ResourceRequirements = { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } };
const TLS_CERT_DIR = HAPROXY_TLS_CERT_PATH.slice(0, HAPROXY_TLS_CERT_PATH.lastIndexOf('/'));
const TLS_CERT_FILE = HAPROXY_TLS_CERT_PATH.slice(TLS_CERT_DIR.length + 1);
/** Lets endpoint removal reach every node before haproxy starts to stop. */
const PRE_STOP_DELAY_SECONDS = 5;

export interface LoadBalancerOptions {
  /** The admin frontend's token: from the existing Secret, a new one only when it doesn't exist. */
  adminToken: string;
  /** The cluster's DNS domain, for the app tiers' SRV records. */
  clusterDomain?: string;
  /** tlsChecksum() of the TLS Secret the pods mount, when the stack has TLS. */
  tlsChecksum?: string;
}

export function configChecksum(config: string): string {
  return createHash('sha256').update(config).digest('hex');
}

/**
 * A digest of a TLS Secret's certificate and key as stored (base64): it changes when the
 * certificate is renewed, and reveals nothing of the key.
 */
export function tlsChecksum(data: Record<string, string> | undefined): string {
  return createHash('sha256').update(`${data?.['tls.crt'] ?? ''}\n${data?.['tls.key'] ?? ''}`).digest('hex');
}

/**
 * What of the ConfigMap takes a restart to apply: haproxy.cfg, with every weight alike when the
 * operator sets them in the running pods, and the Lua. Its digest on the pod template rolls the pods.
 */
function restartChecksum(stack: { name: string; namespace: string }, spec: ResolvedSpec, options: LoadBalancerOptions): string {
  const live = weightsSetLive(spec.loadBalancer.algorithm);
  const restartPart = live ? { ...spec, apps: spec.apps.map((a) => ({ ...a, weight: 1 })) } : spec;
  return configChecksum(renderHaproxyConfig(stack, restartPart, { clusterDomain: options.clusterDomain }) + weightsLua(HAPROXY_BACKEND));
}

function renderConfigMap(ws: WebStack, config: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: ownedMetadata(ws, names.haproxyConfig(ws.metadata.name), stackLabels(ws.metadata.name, 'loadbalancer')),
    // haproxy.cfg holds the current weights, so a pod started later begins with them.
    data: { [HAPROXY_CONFIG_KEY]: config, [HAPROXY_WEIGHTS_LUA_KEY]: weightsLua(HAPROXY_BACKEND) },
  };
}

function renderAdminSecret(ws: WebStack, token: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: ownedMetadata(ws, names.haproxyAdminSecret(ws.metadata.name), stackLabels(ws.metadata.name, 'loadbalancer')),
    type: 'Opaque',
    data: { [HAPROXY_ADMIN_TOKEN_KEY]: Buffer.from(token).toString('base64') },
  };
}

function spread(stack: string, topologyKey: string): Record<string, unknown> {
  return {
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable: 'ScheduleAnyway',
    labelSelector: { matchLabels: componentSelector(stack, 'loadbalancer') },
  };
}

function renderDeployment(ws: WebStack, spec: ResolvedSpec, restartDigest: string, tlsSecretChecksum: string | undefined): KubeObject {
  const stack = ws.metadata.name;
  const lb = spec.loadBalancer;
  const labels = stackLabels(stack, 'loadbalancer');
  const probe = (path: string) => ({ httpGet: { path, port: HAPROXY_PORT_NAMES.stats } });
  const ports = [
    { name: HAPROXY_PORT_NAMES.http, containerPort: HAPROXY_PORTS.http, protocol: 'TCP' },
    { name: HAPROXY_PORT_NAMES.stats, containerPort: HAPROXY_PORTS.stats, protocol: 'TCP' },
    { name: HAPROXY_PORT_NAMES.admin, containerPort: HAPROXY_PORTS.admin, protocol: 'TCP' },
    // Last: server-side apply appends an item it did not have, so TLS added back after a removal
    // lands where we render it, and the Deployment is not applied again on every reconcile.
    ...(lb.tls ? [{ name: HAPROXY_PORT_NAMES.https, containerPort: HAPROXY_PORTS.https, protocol: 'TCP' }] : []),
  ];
  const volumeMounts = [
    { name: 'config', mountPath: HAPROXY_CONFIG_DIR, readOnly: true },
    { name: 'run', mountPath: HAPROXY_RUNTIME_DIR },
    ...(lb.tls ? [{ name: 'tls', mountPath: TLS_CERT_DIR, readOnly: true }] : []),
  ];
  const volumes = [
    { name: 'config', configMap: { name: names.haproxyConfig(stack) } },
    { name: 'run', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } },
    // haproxy reads the certificate and, beside it, `<cert>.key`: the Secret's two keys mapped to those names.
    ...(lb.tls ? [{
      name: 'tls',
      secret: {
        secretName: lb.tls.secretName,
        defaultMode: 0o440,
        items: [{ key: 'tls.crt', path: TLS_CERT_FILE }, { key: 'tls.key', path: TLS_CERT_FILE + HAPROXY_TLS_KEY_SUFFIX }],
      },
    }] : []),
  ];
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: ownedMetadata(ws, names.haproxy(stack), labels),
    spec: {
      replicas: lb.replicas,
      selector: { matchLabels: componentSelector(stack, 'loadbalancer') },
      // Start a new pod before stopping an old one: serving capacity never drops during a config change.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: {
          labels,
          // A haproxy.cfg change that takes a restart, or a renewed certificate, changes the pod template, so
          // the pods roll (one new pod Ready before an old one drains) and load it: haproxy reads both only at start.
          annotations: {
            [ANNOTATION_CONFIG_CHECKSUM]: restartDigest,
            ...(lb.tls && tlsSecretChecksum ? { [ANNOTATION_TLS_CHECKSUM]: tlsSecretChecksum } : {}),
          },
        },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: HAPROXY_HARD_STOP_AFTER_SECONDS + PRE_STOP_DELAY_SECONDS + 5,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: HAPROXY_UID,
            runAsGroup: HAPROXY_UID,
            fsGroup: HAPROXY_UID,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          topologySpreadConstraints: [spread(stack, 'kubernetes.io/hostname'), spread(stack, 'topology.kubernetes.io/zone')],
          containers: [{
            name: HAPROXY_CONTAINER,
            image: lb.image,
            command: ['haproxy', '-W', '-db', '-f', `${HAPROXY_CONFIG_DIR}/${HAPROXY_CONFIG_KEY}`],
            env: [{
              name: HAPROXY_ADMIN_TOKEN_ENV,
              valueFrom: { secretKeyRef: { name: names.haproxyAdminSecret(stack), key: HAPROXY_ADMIN_TOKEN_KEY } },
            }],
            ports,
            // Ready only while an app pod can answer (see HAPROXY_READY_PATH); checked every 2 s, so a newly
            // resolved app pod makes it Ready within about 2 s.
            readinessProbe: { ...probe(HAPROXY_READY_PATH), periodSeconds: 2, timeoutSeconds: 1, failureThreshold: 2 },
            livenessProbe: { ...probe(HAPROXY_LIVE_PATH), initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
            lifecycle: { preStop: { exec: { command: ['sleep', String(PRE_STOP_DELAY_SECONDS)] } } },
            resources: canonicalResources(lb.resources ?? DEFAULT_RESOURCES),
            securityContext: {
              allowPrivilegeEscalation: false,
              readOnlyRootFilesystem: true,
              runAsNonRoot: true,
              capabilities: { drop: ['ALL'] },
            },
            volumeMounts,
          }],
          volumes,
        },
      },
    },
  };
}

function renderService(ws: WebStack, spec: ResolvedSpec): KubeObject {
  const stack = ws.metadata.name;
  const svc = spec.loadBalancer.service;
  const ports = [
    { name: HAPROXY_PORT_NAMES.http, port: svc.port, targetPort: HAPROXY_PORT_NAMES.http, protocol: 'TCP' },
    ...(spec.loadBalancer.tls ? [{ name: HAPROXY_PORT_NAMES.https, port: svc.tlsPort, targetPort: HAPROXY_PORT_NAMES.https, protocol: 'TCP' }] : []),
  ];
  const serviceSpec: Record<string, unknown> = { type: svc.type, selector: componentSelector(stack, 'loadbalancer'), ports };
  if (svc.type === 'LoadBalancer' && svc.loadBalancerSourceRanges.length > 0) serviceSpec.loadBalancerSourceRanges = [...svc.loadBalancerSourceRanges];
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: ownedMetadata(ws, names.haproxy(stack), stackLabels(stack, 'loadbalancer'), svc.annotations),
    spec: serviceSpec,
  };
}


export function renderLoadBalancer(ws: WebStack, spec: ResolvedSpec, options: LoadBalancerOptions): KubeObject[] {
  const stack = { name: ws.metadata.name, namespace: ws.metadata.namespace ?? 'default' };
  const config = renderHaproxyConfig(stack, spec, { clusterDomain: options.clusterDomain });
  return [
    renderAdminSecret(ws, options.adminToken), renderConfigMap(ws, config), renderService(ws, spec),
    podDisruptionBudget(ws, names.haproxy(ws.metadata.name), 'loadbalancer'),
    renderDeployment(ws, spec, restartChecksum(stack, spec, options), options.tlsChecksum),
  ];
}
