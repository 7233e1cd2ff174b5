/**
 * The Gateway API route of a stack published through Gateways (loadBalancer.gateway): an HTTPRoute
 * to HAProxy's HTTP port, or, when HAProxy terminates TLS itself, a TLSRoute that passes the TLS
 * stream through to its HTTPS port (chosen by server name), so the certificate stays HAProxy's.
 */
import type { ResolvedSpec } from '../api/defaults.js';
import { names, stackLabels } from '../api/labels.js';
import type { GatewayParentRef, WebStack } from '../api/types.js';
import { ownedMetadata, type KubeObject } from './object.js';

export const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';
/** The versions the routes are written in: HTTPRoute is in the standard channel, TLSRoute only in the experimental one. */
export const HTTP_ROUTE_API_VERSION = `${GATEWAY_API_GROUP}/v1`;
export const TLS_ROUTE_API_VERSION = `${GATEWAY_API_GROUP}/v1alpha2`;

function parentRef(ref: GatewayParentRef): Record<string, unknown> {
  return {
    group: GATEWAY_API_GROUP,
    kind: 'Gateway',
    name: ref.name,
    ...(ref.namespace === undefined ? {} : { namespace: ref.namespace }),
    ...(ref.sectionName === undefined ? {} : { sectionName: ref.sectionName }),
    ...(ref.port === undefined ? {} : { port: ref.port }),
  };
}

/** The route for `ws`, or none when the stack is not published through a Gateway. */
export function renderGatewayRoute(ws: WebStack, spec: ResolvedSpec): KubeObject | undefined {
  const lb = spec.loadBalancer;
  if (!lb.gateway) return undefined;
  const stack = ws.metadata.name;
  const passthrough = lb.tls !== undefined;
  const backend = { group: '', kind: 'Service', name: names.haproxy(stack), port: passthrough ? lb.service.tlsPort : lb.service.port };
  return {
    apiVersion: passthrough ? TLS_ROUTE_API_VERSION : HTTP_ROUTE_API_VERSION,
    kind: passthrough ? 'TLSRoute' : 'HTTPRoute',
    metadata: ownedMetadata(ws, names.haproxy(stack), stackLabels(stack, 'loadbalancer')),
    spec: {
      parentRefs: lb.gateway.parentRefs.map(parentRef),
      ...(lb.gateway.hostnames.length > 0 ? { hostnames: [...lb.gateway.hostnames] } : {}),
      rules: [{ backendRefs: [backend] }],
    },
  };
}
