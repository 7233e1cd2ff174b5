/**
 * The cluster DNS names of Services and pods, as CoreDNS answers them:
 * `<svc>.<ns>.svc.<domain>` (A: the Service address; headless: the pod addresses),
 * `<hostname>.<svc>.<ns>.svc.<domain>` for pods behind a headless Service,
 * and `_<port>._<proto>.<svc>.<ns>.svc.<domain>` SRV records.
 */
import type { V1Service } from '@kubernetes/client-node';
import { isHeadless, servingEndpoints, type Endpoint } from './endpoints.js';

export const CLUSTER_DOMAIN = 'cluster.local';

export type DnsRecord =
  | { name: string; type: 'A'; address: string }
  | { name: string; type: 'SRV'; priority: number; weight: number; port: number; target: string };

export function serviceDomain(svc: string, namespace: string, domain = CLUSTER_DOMAIN): string {
  return `${svc}.${namespace}.svc.${domain}`;
}

function endpointName(e: Endpoint, service: string, fqdn: string): string {
  const label = e.hostname && e.subdomain === service ? e.hostname : e.ip.replace(/\./g, '-');
  return `${label}.${fqdn}`;
}

/** Records for one Service: `serviceIp` is its loopback address (ignored for headless Services). */
export function serviceRecords(svc: V1Service, serviceIp: string | undefined, endpoints: Endpoint[], domain = CLUSTER_DOMAIN): DnsRecord[] {
  const name = svc.metadata?.name ?? '';
  const ns = svc.metadata?.namespace ?? 'default';
  const fqdn = serviceDomain(name, ns, domain);
  const out: DnsRecord[] = [];
  const ports = svc.spec?.ports ?? [];
  if (!isHeadless(svc)) {
    if (!serviceIp) return out;
    out.push({ name: fqdn, type: 'A', address: serviceIp });
    for (const p of ports) {
      if (!p.name) continue;
      out.push({ name: `_${p.name}._${(p.protocol ?? 'TCP').toLowerCase()}.${fqdn}`, type: 'SRV', priority: 0, weight: 100, port: p.port, target: fqdn });
    }
    return out;
  }
  const serving = servingEndpoints(svc, endpoints);
  for (const e of serving) out.push({ name: fqdn, type: 'A', address: e.ip });
  // Pods under a headless Service have names of their own: their hostname when it is the
  // Service's subdomain (StatefulSet pods), else their dashed address. These resolve whether or
  // not the pod is Ready: that is how the operator reaches a database instance that is starting.
  for (const e of endpoints) out.push({ name: endpointName(e, name, fqdn), type: 'A', address: e.ip });
  for (const p of ports) {
    if (!p.name) continue;
    for (const e of serving) {
      const port = e.ports[p.name];
      if (port === undefined) continue;
      out.push({ name: `_${p.name}._${(p.protocol ?? 'TCP').toLowerCase()}.${fqdn}`, type: 'SRV', priority: 0, weight: 100, port, target: endpointName(e, name, fqdn) });
    }
  }
  return out;
}

/** The DNS server's table form: A addresses and SRV targets grouped by name, without duplicates. */
export function recordTable(records: DnsRecord[]): { a: Record<string, string[]>; srv: Record<string, Array<{ target: string; port: number; priority: number; weight: number }>> } {
  const a: Record<string, string[]> = {};
  const srv: Record<string, Array<{ target: string; port: number; priority: number; weight: number }>> = {};
  for (const r of records) {
    if (r.type === 'A') {
      const list = (a[r.name] ??= []);
      if (!list.includes(r.address)) list.push(r.address);
    } else {
      const list = (srv[r.name] ??= []);
      if (!list.some((t) => t.target === r.target && t.port === r.port)) list.push({ target: r.target, port: r.port, priority: r.priority, weight: r.weight });
    }
  }
  return { a, srv };
}
