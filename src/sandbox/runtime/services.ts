/**
 * kube-proxy, the endpoints controller and the DNS feed: every Service gets a loopback address
 * with a proxy per port (headless Services get none), an Endpoints object listing its ready and
 * not-ready pods, DNS records, and, for type LoadBalancer, that address as its load balancer
 * ingress (the part a cloud controller plays). On a real control plane its endpoints controllers
 * own Endpoints and EndpointSlices, so this one leaves them alone (`writeEndpoints: false`).
 */
import type { V1Endpoints, V1Service } from '@kubernetes/client-node';
import type { Logger } from '../../log.js';
import { randomInt } from 'node:crypto';
import { AddressPool, SERVICE_NETWORK } from './addresses.js';
import { MERGE_PATCH, httpStatus, tolerate, type Cluster } from './cluster.js';
import { recordTable, serviceRecords, type DnsRecord } from './dns-records.js';
import { endpointsObject, isHeadless, selectEndpoints, servicePortKey, servingEndpoints } from './endpoints.js';
import { ServiceProxy } from './service-proxy.js';

export interface DnsSink {
  setRecords(records: ReturnType<typeof recordTable>): void;
}

export interface ServiceAddress {
  ip: string;
  /** Service port -> the port the proxy listens on (the same unless a privileged port was refused). */
  ports: Record<number, number>;
}

export class ServiceController {
  private readonly addresses: AddressPool;
  private readonly proxies = new Map<string, ServiceProxy>();
  private readonly listening = new Map<string, Promise<unknown>>();
  private readonly lastEndpoints = new Map<string, string>();
  private readonly known = new Map<string, { namespace: string; name: string; uid: string }>();
  private lastDns = '';

  constructor(
    private readonly cluster: Cluster, private readonly log: Logger, private readonly dns: DnsSink | undefined, private readonly clusterDomain: string,
    private readonly writesEndpoints = true, network: readonly [number, number] = SERVICE_NETWORK,
  ) {
    this.addresses = new AddressPool(network, randomInt(256 * 254));
  }

  address(namespace: string, name: string): ServiceAddress | undefined {
    const svc = this.cluster.services().find((s) => s.metadata?.namespace === namespace && s.metadata?.name === name);
    const uid = svc?.metadata?.uid;
    const ip = uid ? this.addresses.get(uid) : undefined;
    if (!svc || !ip) return undefined;
    const ports: Record<number, number> = {};
    for (const p of svc.spec?.ports ?? []) {
      const proxy = this.proxies.get(`${uid}:${p.port}`);
      if (proxy?.listenPort) ports[p.port] = proxy.listenPort;
    }
    return { ip, ports };
  }

  async sync(): Promise<void> {
    const services = this.cluster.services();
    const pods = this.cluster.pods();
    const records: DnsRecord[] = [];
    const live = new Set<string>();
    const writes: Array<Promise<unknown>> = [];
    for (const svc of services) {
      const uid = svc.metadata?.uid ?? '';
      const ns = svc.metadata?.namespace ?? 'default';
      live.add(uid);
      this.known.set(uid, { namespace: ns, name: svc.metadata?.name ?? '', uid });
      const endpoints = selectEndpoints(svc, pods.filter((p) => p.metadata?.namespace === ns));
      let ip: string | undefined;
      if (!isHeadless(svc)) {
        // A cluster IP from the Service network (the in-memory API server hands those out, and the
        // real one from its range, routed here) is the address itself, so `kubectl get svc` shows
        // one that answers here.
        const clusterIp = svc.spec?.clusterIP;
        ip = clusterIp && this.addresses.reserve(uid, clusterIp) ? clusterIp : this.addresses.allocate(uid);
        const serving = servingEndpoints(svc, endpoints);
        for (const p of svc.spec?.ports ?? []) {
          if ((p.protocol ?? 'TCP') !== 'TCP') continue;
          const proxy = this.proxyFor(uid, ip, p.port, svc);
          const key = servicePortKey(p);
          proxy.setBackends(serving.flatMap((e) => (e.ports[key] === undefined ? [] : [{ ip: e.ip, port: e.ports[key] }])));
        }
        if (svc.spec?.type === 'LoadBalancer') writes.push(this.publishIngress(svc, ip));
      }
      records.push(...serviceRecords(svc, ip, endpoints, this.clusterDomain));
      if (this.writesEndpoints && svc.spec?.selector && Object.keys(svc.spec.selector).length > 0) writes.push(this.writeEndpoints(svc, endpointsObject(svc, endpoints)));
    }
    for (const [uid, svc] of this.known) {
      if (live.has(uid)) continue;
      this.known.delete(uid);
      await this.forget(uid, svc.namespace, svc.name);
    }
    const table = recordTable(records);
    const json = JSON.stringify(table);
    if (this.dns && json !== this.lastDns) {
      this.dns.setRecords(table);
      this.lastDns = json;
    }
    await Promise.all(writes.map((w) => w.catch((err) => this.log.debug('service write failed', { error: String(err) }))));
  }

  private proxyFor(uid: string, ip: string, port: number, svc: V1Service): ServiceProxy {
    const key = `${uid}:${port}`;
    let proxy = this.proxies.get(key);
    if (!proxy) {
      proxy = new ServiceProxy(ip, port);
      this.proxies.set(key, proxy);
      const p = proxy;
      this.listening.set(key, p.listen().then((listenPort) => {
        this.log.info('service listening', { namespace: svc.metadata?.namespace, service: svc.metadata?.name, address: `${ip}:${listenPort}` });
      }, (err) => {
        this.log.warn('service could not listen, will retry', { namespace: svc.metadata?.namespace, service: svc.metadata?.name, address: `${ip}:${port}`, error: String(err) });
        // Forgotten, so the next sync tries again.
        if (this.proxies.get(key) === p) this.proxies.delete(key);
        this.listening.delete(key);
      }));
    }
    return proxy;
  }

  /** The proxies of a Service that is gone; its Endpoints object goes with it, as the endpoints controller does. */
  private async forget(uid: string, namespace: string, name: string): Promise<void> {
    for (const [key, proxy] of this.proxies) {
      if (!key.startsWith(`${uid}:`)) continue;
      this.proxies.delete(key);
      await this.listening.get(key);
      this.listening.delete(key);
      await proxy.close();
    }
    this.addresses.release(uid);
    this.lastEndpoints.delete(`${namespace}/${name}`);
    if (this.writesEndpoints && !this.cluster.services().some((s) => s.metadata?.namespace === namespace && s.metadata?.name === name)) {
      await tolerate(this.cluster.core.deleteNamespacedEndpoints({ name, namespace }), 404).catch(() => undefined);
    }
  }

  private async writeEndpoints(svc: V1Service, desired: V1Endpoints): Promise<void> {
    const ns = svc.metadata!.namespace!;
    const name = svc.metadata!.name!;
    const key = `${ns}/${name}`;
    const json = JSON.stringify(desired.subsets);
    if (this.lastEndpoints.get(key) === json) return;
    try {
      await this.cluster.core.replaceNamespacedEndpoints({ name, namespace: ns, body: desired });
    } catch (err) {
      if (httpStatus(err) !== 404) throw err;
      await this.cluster.core.createNamespacedEndpoints({ namespace: ns, body: desired });
    }
    this.lastEndpoints.set(key, json);
  }

  private async publishIngress(svc: V1Service, ip: string): Promise<void> {
    if (svc.status?.loadBalancer?.ingress?.[0]?.ip === ip) return;
    await this.cluster.core.patchNamespacedServiceStatus({
      name: svc.metadata!.name!, namespace: svc.metadata!.namespace!, body: { status: { loadBalancer: { ingress: [{ ip }] } } },
    }, MERGE_PATCH);
  }

  async close(): Promise<void> {
    await Promise.all([...this.listening.values()]);
    await Promise.all([...this.proxies.values()].map((p) => p.close()));
    this.proxies.clear();
  }
}
