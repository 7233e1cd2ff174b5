/** Which pods back a Service, on which ports: the input of the proxy, the Endpoints object and DNS. */
import type { V1Endpoints, V1Pod, V1Service, V1ServicePort } from '@kubernetes/client-node';
import { isPodReady, isTerminating } from './pod-state.js';
import { serviceSelects } from './selectors.js';

export interface Endpoint {
  podName: string;
  ip: string;
  ready: boolean;
  /** Service port name (or its number as a string when unnamed) -> the pod's port number. */
  ports: Record<string, number>;
  hostname?: string;
  subdomain?: string;
}

export function servicePortKey(p: V1ServicePort): string {
  return p.name || String(p.port);
}

/** A Service's targetPort on one pod: numbers as given, names looked up in the pod's container ports. */
export function resolveTargetPort(port: V1ServicePort, pod: V1Pod): number | undefined {
  const target = port.targetPort ?? port.port;
  if (typeof target === 'number') return target;
  if (/^[0-9]+$/.test(target)) return Number(target);
  for (const c of pod.spec?.containers ?? []) {
    for (const cp of c.ports ?? []) if (cp.name === target) return cp.containerPort;
  }
  return undefined;
}

export function isHeadless(svc: V1Service): boolean {
  return svc.spec?.clusterIP === 'None';
}

/** Endpoints of a Service among `pods` (all in the Service's namespace): pods with an IP, not terminating. */
export function selectEndpoints(svc: V1Service, pods: V1Pod[]): Endpoint[] {
  const out: Endpoint[] = [];
  for (const pod of pods) {
    if (pod.metadata?.namespace !== svc.metadata?.namespace) continue;
    if (!serviceSelects(svc.spec?.selector, pod.metadata?.labels)) continue;
    const ip = pod.status?.podIP;
    if (!ip || isTerminating(pod)) continue;
    const ports: Record<string, number> = {};
    for (const p of svc.spec?.ports ?? []) {
      const n = resolveTargetPort(p, pod);
      if (n !== undefined) ports[servicePortKey(p)] = n;
    }
    out.push({
      podName: pod.metadata?.name ?? '', ip, ready: isPodReady(pod), ports,
      hostname: pod.spec?.hostname, subdomain: pod.spec?.subdomain,
    });
  }
  return out.sort((a, b) => (a.podName < b.podName ? -1 : a.podName > b.podName ? 1 : 0));
}

/** Endpoints a client may be sent to: Ready ones, or all of them with publishNotReadyAddresses. */
export function servingEndpoints(svc: V1Service, endpoints: Endpoint[]): Endpoint[] {
  return svc.spec?.publishNotReadyAddresses ? endpoints : endpoints.filter((e) => e.ready);
}

/** The core/v1 Endpoints object for a Service (one subset per distinct port mapping). */
export function endpointsObject(svc: V1Service, endpoints: Endpoint[]): V1Endpoints {
  const groups = new Map<string, Endpoint[]>();
  for (const e of endpoints) {
    const key = JSON.stringify(Object.entries(e.ports).sort());
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  const subsets = [...groups.values()].map((group) => {
    const address = (e: Endpoint) => ({
      ip: e.ip,
      ...(e.hostname ? { hostname: e.hostname } : {}),
      targetRef: { kind: 'Pod', name: e.podName, namespace: svc.metadata?.namespace },
    });
    const ready = group.filter((e) => e.ready || svc.spec?.publishNotReadyAddresses);
    const notReady = group.filter((e) => !(e.ready || svc.spec?.publishNotReadyAddresses));
    const ports = (svc.spec?.ports ?? [])
      .filter((p) => group[0].ports[servicePortKey(p)] !== undefined)
      .map((p) => ({ ...(p.name ? { name: p.name } : {}), port: group[0].ports[servicePortKey(p)], protocol: p.protocol ?? 'TCP' }));
    return {
      ...(ready.length ? { addresses: ready.map(address) } : {}),
      ...(notReady.length ? { notReadyAddresses: notReady.map(address) } : {}),
      ports,
    };
  });
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: svc.metadata?.name, namespace: svc.metadata?.namespace, labels: { ...(svc.metadata?.labels ?? {}) } },
    subsets,
  };
}

/** Round robin over endpoints, remembering its place across changes of the endpoint list. */
export class RoundRobin {
  private turn = 0;
  next<T>(items: T[]): T | undefined {
    if (items.length === 0) return undefined;
    const item = items[this.turn % items.length];
    this.turn = (this.turn + 1) % 1_000_000;
    return item;
  }
}
