/**
 * A WebStack's load-balancing path on loopback: the rendered haproxy.cfg run by real haproxy,
 * resolving app tiers through the sandbox DNS server, in front of real HTTP servers as pods.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveSpec } from '../../src/api/defaults.js';
import type { WebStack } from '../../src/api/types.js';
import { HAPROXY_BACKEND, appSrvRecord, renderHaproxyConfig, type HaproxyResolverTimings } from '../../src/render/haproxy-config.js';
import { HAPROXY_ADMIN_TOKEN_ENV, HAPROXY_WEIGHTS_LUA_KEY, newAdminToken, weightsLua } from '../../src/render/haproxy-weights.js';
import { startDnsServer, type DnsServer } from '../../src/sandbox/dns/server.js';
import { startAppPod, type AppPod } from './http-backends.js';
import { startHaproxy, type RunningHaproxy, type ServerState } from './haproxy-process.js';
import { eventually } from './eventually.js';
import { freePort } from '../../src/sandbox/control-plane/index.js';

const DOMAIN = 'cluster.local';



export interface StackUnderTest {
  readonly url: string;
  /** The HTTPS port's address, when the stack has TLS. */
  readonly httpsUrl: string;
  /** The stats port: /healthz, /stats, /metrics. */
  readonly statsUrl: string;
  /** The admin port (run-time weights) and the token it takes. */
  readonly adminUrl: string;
  readonly adminToken: string;
  readonly dns: DnsServer;
  readonly haproxy: RunningHaproxy;
  readonly pods: Map<string, AppPod>;
  /** Starts a pod of `tier` on `host` and, unless told otherwise, publishes it in the tier's SRV record. */
  addPod(tier: string, name: string, host: string, publish?: boolean): Promise<AppPod>;
  /** Takes a pod out of its tier's SRV record (it keeps running), as Endpoints do for a pod not ready. */
  unpublish(tier: string, name: string): void;
  servers(): Promise<ServerState[]>;
  /** Waits until exactly `n` servers of the backend are UP. */
  waitUp(n: number): Promise<ServerState[]>;
  stop(): Promise<void>;
}

/** Starts DNS, the pods given per tier (`{web: ['127.0.1.1', ...]}`, named `<tier>-<i>`), and haproxy. */
export async function startStack(
  ws: WebStack,
  podHosts: Record<string, string[]>,
  extra: {
    resolver?: Partial<HaproxyResolverTimings>; tlsCertPath?: string;
    /** As a pod: its own address, the admin port it has in a cluster, the token of its stack's Secret. */
    pod?: { address: string; adminPort: number; adminToken: string };
  } = {},
): Promise<StackUnderTest> {
  const resolver = extra.resolver ?? { resolveSeconds: 1, holdObsoleteSeconds: 1 };
  const stack = { name: ws.metadata.name, namespace: ws.metadata.namespace ?? 'default' };
  const spec = resolveSpec(ws);
  const host = extra.pod?.address ?? '127.0.0.1';
  const ports = { http: await freePort(host), stats: await freePort(host), https: await freePort(host), admin: extra.pod?.adminPort ?? await freePort(host) };
  const dir = mkdtempSync(path.join(tmpdir(), 'haproxy-traffic-'));
  const weightsLuaPath = path.join(dir, HAPROXY_WEIGHTS_LUA_KEY);
  writeFileSync(weightsLuaPath, weightsLua(HAPROXY_BACKEND));
  const adminToken = extra.pod?.adminToken ?? newAdminToken((n) => randomBytes(n));
  const dns = await startDnsServer();
  const pods = new Map<string, AppPod>();
  const published = new Map<string, string[]>();
  let haproxy: RunningHaproxy | undefined;

  const podName = (name: string, tier: string): string => `${name}.${stack.name}-${tier}.${stack.namespace}.svc.${DOMAIN}`;
  const publish = (tier: string): void => {
    const names = published.get(tier) ?? [];
    dns.setSrv(appSrvRecord(stack, tier, DOMAIN), names.map((n) => ({ target: podName(n, tier), port: pods.get(n)!.port })));
  };
  const healthPathOf = (tier: string): string => spec.apps.find((a) => a.name === tier)?.healthPath ?? '/healthz';

  const addPod = async (tier: string, name: string, host: string, show = true): Promise<AppPod> => {
    const pod = await startAppPod(name, host, { healthPath: healthPathOf(tier), delayMs: 2 });
    pods.set(name, pod);
    dns.setA(podName(name, tier), [host]);
    if (show) {
      published.set(tier, [...(published.get(tier) ?? []), name]);
      publish(tier);
    }
    return pod;
  };

  const stop = async (): Promise<void> => {
    await haproxy?.stop();
    await Promise.all([...pods.values()].map((p) => p.kill()));
    await dns.close();
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    for (const [tier, hosts] of Object.entries(podHosts)) {
      for (const [i, host] of hosts.entries()) await addPod(tier, `${tier}-${i}`, host);
    }
    const config = renderHaproxyConfig(stack, spec, {
      nameservers: [dns.address], bindAddress: host, ports, runtimeDir: dir, resolver, tlsCertPath: extra.tlsCertPath, weightsLuaPath,
    });
    haproxy = await startHaproxy(config, path.join(dir, 'haproxy.sock'), dir, { [HAPROXY_ADMIN_TOKEN_ENV]: adminToken });
  } catch (err) {
    await stop();
    throw err;
  }
  const running = haproxy;
  const servers = (): Promise<ServerState[]> => running.servers(HAPROXY_BACKEND);

  return {
    url: `http://${host}:${ports.http}/`,
    httpsUrl: `https://${host}:${ports.https}/`,
    statsUrl: `http://${host}:${ports.stats}`,
    adminUrl: `http://${host}:${ports.admin}`,
    adminToken,
    dns, haproxy: running, pods, addPod,
    unpublish: (tier, name) => {
      published.set(tier, (published.get(tier) ?? []).filter((n) => n !== name));
      publish(tier);
    },
    servers,
    waitUp: (n) => eventually(`${n} servers UP`, async () => {
      const s = await servers();
      return s.filter((x) => x.status.startsWith('UP')).length === n ? s : undefined;
    }),
    stop,
  };
}
