/**
 * haproxy.cfg for a WebStack: one frontend (HTTP, plus HTTPS when TLS is set), one backend with a
 * `server-template` per app tier resolved through the tier's headless Service SRV record, and a
 * stats/Prometheus/health frontend on its own port. Tested with Debian's haproxy 2.6; it uses only
 * keywords that haproxy 3.2 (the default image) still has, none of those deprecated in 3.x.
 */
import type { ResolvedApp, ResolvedSpec } from '../api/defaults.js';
import { APP_PORT_NAME, names } from '../api/labels.js';
import { adminFrontend, HAPROXY_ADMIN_PORT, HAPROXY_WEIGHTS_LUA_KEY } from './haproxy-weights.js';

/** Container ports the haproxy pod listens on (non-root, so above 1024). */
export const HAPROXY_PORTS = { http: 8080, https: 8443, stats: 8404, admin: HAPROXY_ADMIN_PORT } as const;
/** Where the pod mounts the ConfigMap (the official image's config directory): haproxy.cfg and the weights Lua. */
export const HAPROXY_CONFIG_DIR = '/usr/local/etc/haproxy';
/** Where the pod mounts the TLS Secret: tls.crt as this file, tls.key beside it as `<this>.key`. */
export const HAPROXY_TLS_CERT_PATH = '/etc/haproxy/certs/tls.pem';
/** haproxy loads `<crt>.key` when the certificate file holds no key (`ssl-load-extra-files`, default all). */
export const HAPROXY_TLS_KEY_SUFFIX = '.key';
/** The only writable place with a read-only root filesystem (an emptyDir). */
export const HAPROXY_RUNTIME_DIR = '/tmp';
/**
 * Readiness: answers 200 only while the apps backend has a server to send a request to, so a pod
 * (and through it the WebStack) is Ready only when a request would be answered by an app.
 */
export const HAPROXY_READY_PATH = '/healthz';
/** Liveness: haproxy itself answers; an app outage must not restart the load balancer. */
export const HAPROXY_LIVE_PATH = '/livez';
export const HAPROXY_METRICS_PATH = '/metrics';
export const HAPROXY_STATS_PATH = '/stats';
/** How long a stopping haproxy may finish open requests; the pod's grace period is longer. */
export const HAPROXY_HARD_STOP_AFTER_SECONDS = 25;
/** Name of the backend every request goes to; the traffic test reads its servers' state by this name. */
export const HAPROXY_BACKEND = 'apps';
const RESOLVERS = 'cluster';
/**
 * A ceiling on file descriptors, not a fixed maxconn: haproxy derives maxconn from the lower of this
 * and the container's limit, so it neither fails to start under a low limit nor sizes its tables for
 * a huge one.
 */
const FD_HARD_LIMIT = 50000;

export interface HaproxyResolverTimings {
  /** How often a server-template's SRV record is resolved again. */
  resolveSeconds: number;
  /** How long a server stays after its record disappeared from the SRV answer. */
  holdObsoleteSeconds: number;
  /** How long the last good answer is kept when the DNS server answers NXDOMAIN, fails or times out. */
  holdInvalidSeconds: number;
}

export interface HaproxyConfigOptions {
  /** `ip:port` of DNS servers; by default haproxy reads the pod's /etc/resolv.conf. */
  nameservers?: string[];
  clusterDomain?: string;
  /** Address to bind; '' binds every IPv4 address (the pod's). */
  bindAddress?: string;
  ports?: Partial<Record<keyof typeof HAPROXY_PORTS, number>>;
  tlsCertPath?: string;
  /** Directory for the runtime API socket. */
  runtimeDir?: string;
  /** The weights Lua file (haproxy-weights.ts); by default beside haproxy.cfg in the ConfigMap's mount. */
  weightsLuaPath?: string;
  /** Serve Prometheus metrics on the stats port (needs haproxy built with USE_PROMEX: Debian and the official image are). */
  prometheusExporter?: boolean;
  resolver?: Partial<HaproxyResolverTimings>;
}

const DEFAULT_RESOLVER: HaproxyResolverTimings = { resolveSeconds: 5, holdObsoleteSeconds: 10, holdInvalidSeconds: 30 };

/** The SRV record of a tier's headless Service: its named port `http` over TCP. */
export function appSrvRecord(stack: { name: string; namespace: string }, tier: string, clusterDomain: string): string {
  return `_${APP_PORT_NAME}._tcp.${names.app(stack.name, tier)}.${stack.namespace}.svc.${clusterDomain}`;
}

/** Template slots for a tier: room for its replicas plus the surge of a rolling update. */
export function serverSlots(replicas: number): number {
  return Math.max(replicas * 2, replicas + 2);
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A path haproxy can take as one word: no whitespace or quotes that would end the word or the line. */
const HTTP_PATH = /^\/[\x21-\x7e]*$/;

/**
 * Everything from the WebStack that lands in haproxy.cfg as a word, checked again here: a newline
 * in a health path would otherwise inject configuration.
 */
function inputProblems(stack: { name: string; namespace: string }, spec: ResolvedSpec): string[] {
  const problems: string[] = [];
  if (!DNS_LABEL.test(stack.namespace)) problems.push(`metadata.namespace: ${JSON.stringify(stack.namespace)} is not a DNS label`);
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(stack.name)) problems.push(`metadata.name: ${JSON.stringify(stack.name)} is not a DNS name`);
  spec.apps.forEach((app, i) => {
    if (!DNS_LABEL.test(app.name)) problems.push(`spec.apps[${i}].name: ${JSON.stringify(app.name)} is not a DNS label`);
    if (!HTTP_PATH.test(app.healthPath) || /["'\\#]/.test(app.healthPath)) {
      problems.push(`spec.apps[${i}].healthPath: ${JSON.stringify(app.healthPath)} must start with / and hold no spaces, quotes, backslashes or #`);
    }
  });
  return problems;
}

function bind(address: string, port: number): string {
  return `${address}:${port}`;
}

function serverTemplate(stack: { name: string; namespace: string }, app: ResolvedApp, spec: ResolvedSpec, domain: string): string {
  const hc = spec.loadBalancer.healthCheck;
  return [
    // The `-` separator keeps generated names unique across tiers (web-1 can't be tier "web-" slot 1: tier names are DNS labels).
    `server-template ${app.name}- ${serverSlots(app.replicas)} ${appSrvRecord(stack, app.name, domain)}`,
    `resolvers ${RESOLVERS} resolve-prefer ipv4 init-addr none`,
    // ignore-weight: the tier's weight comes from the WebStack, not from the SRV record's weight field.
    // allow-dup-ip: pods that share an address on different ports (the sandbox's loopback pods) stay distinct.
    'resolve-opts allow-dup-ip,ignore-weight',
    `check inter ${hc.intervalSeconds}s fall ${hc.fall} rise ${hc.rise} weight ${app.weight}`,
    ...(app.backup ? ['backup'] : []),
  ].join(' ');
}

export function renderHaproxyConfig(
  stack: { name: string; namespace: string },
  spec: ResolvedSpec,
  options: HaproxyConfigOptions = {},
): string {
  if (spec.apps.length === 0) throw new Error('spec.apps: at least one app tier is needed to render haproxy.cfg');
  const problems = inputProblems(stack, spec);
  if (problems.length > 0) throw new Error(problems.join('; '));
  for (const s of options.nameservers ?? []) {
    if (!/^[0-9a-fA-F.:[\]]+:\d+$/.test(s)) throw new Error(`nameservers: ${s} is not ip:port`);
  }
  const lb = spec.loadBalancer;
  const domain = options.clusterDomain ?? 'cluster.local';
  const address = options.bindAddress ?? '';
  const ports = { ...HAPROXY_PORTS, ...options.ports };
  const runtimeDir = options.runtimeDir ?? HAPROXY_RUNTIME_DIR;
  const resolver = { ...DEFAULT_RESOLVER, ...options.resolver };
  const tls = lb.tls;
  const hc = lb.healthCheck;

  const global = [
    'global',
    // In a container logs go to stdout; no daemon, no chroot, no user switch: the pod runs non-root.
    '  log stdout format raw local0',
    `  fd-hard-limit ${FD_HARD_LIMIT}`,
    // The image stops haproxy with SIGUSR1 (soft stop: finish open requests); this bounds it so it ends
    // before the pod's termination grace period and the kubelet's SIGKILL.
    `  hard-stop-after ${HAPROXY_HARD_STOP_AFTER_SECONDS}s`,
    `  stats socket ${runtimeDir}/haproxy.sock mode 600 level operator`,
    `  lua-load ${options.weightsLuaPath ?? `${HAPROXY_CONFIG_DIR}/${HAPROXY_WEIGHTS_LUA_KEY}`}`,
    '  ssl-default-bind-options ssl-min-ver TLSv1.2 no-tls-tickets',
  ];
  const defaults = [
    'defaults',
    '  mode http',
    '  log global',
    '  option httplog',
    '  option dontlognull',
    '  option forwardfor',
    '  timeout connect 5s',
    '  timeout client 30s',
    '  timeout server 30s',
    '  timeout http-request 10s',
    '  timeout http-keep-alive 10s',
    '  timeout queue 30s',
    `  timeout check ${hc.intervalSeconds}s`,
    // Every retry goes to another server, so a pod that just died costs a client nothing.
    '  retries 3',
    '  option redispatch 1',
  ];
  const resolvers = [
    `resolvers ${RESOLVERS}`,
    ...(options.nameservers?.length
      ? options.nameservers.map((s, i) => `  nameserver ns${i + 1} ${s}`)
      : ['  parse-resolv-conf']),
    // Large enough for the SRV answer of every pod of a tier plus their A records (EDNS0).
    '  accepted_payload_size 8192',
    '  resolve_retries 3',
    '  timeout retry 1s',
    `  timeout resolve ${resolver.resolveSeconds}s`,
    `  hold valid ${resolver.resolveSeconds}s`,
    `  hold obsolete ${resolver.holdObsoleteSeconds}s`,
    `  hold nx ${resolver.holdInvalidSeconds}s`,
    `  hold refused ${resolver.holdInvalidSeconds}s`,
    `  hold timeout ${resolver.holdInvalidSeconds}s`,
    `  hold other ${resolver.holdInvalidSeconds}s`,
  ];
  const frontend = [
    'frontend web',
    `  bind ${bind(address, ports.http)}`,
    ...(tls ? [`  bind ${bind(address, ports.https)} ssl crt ${options.tlsCertPath ?? HAPROXY_TLS_CERT_PATH} alpn h2,http/1.1`] : []),
    ...(tls?.redirectHttp ? ['  http-request redirect scheme https code 301 if !{ ssl_fc }'] : []),
    ...(tls ? [
      '  http-request set-header X-Forwarded-Proto https if { ssl_fc }',
      '  http-request set-header X-Forwarded-Proto http if !{ ssl_fc }',
      `  http-response set-header Strict-Transport-Security "max-age=${tls.hstsMaxAgeSeconds}" if { ssl_fc }`,
    ] : ['  http-request set-header X-Forwarded-Proto http']),
    `  default_backend ${HAPROXY_BACKEND}`,
  ];
  const backend = [
    `backend ${HAPROXY_BACKEND}`,
    `  balance ${lb.algorithm}`,
    '  option httpchk',
    // One request for every tier: the API requires the tiers to share their health path.
    `  http-check send meth GET uri ${spec.apps[0].healthPath}`,
    '  http-check expect status 200-399',
    // A request whose pod died before answering is replayed on another pod, but only when replaying is
    // harmless: GET/HEAD/OPTIONS. Other methods are retried only when the connection was never made.
    '  retry-on conn-failure empty-response',
    '  http-request disable-l7-retry unless METH_GET or METH_OPTIONS',
    ...spec.apps.map((app) => `  ${serverTemplate(stack, app, spec, domain)}`),
  ];
  const stats = [
    'frontend stats',
    `  bind ${bind(address, ports.stats)}`,
    // Probes and scrapes would otherwise fill the log; failures are still logged.
    '  option dontlog-normal',
    `  monitor-uri ${HAPROXY_READY_PATH}`,
    // nbsrv counts usable servers: active ones, or the backup ones when no active server is up.
    `  monitor fail if { nbsrv(${HAPROXY_BACKEND}) lt 1 }`,
    `  http-request return status 200 content-type text/plain string alive if { path ${HAPROXY_LIVE_PATH} }`,
    ...(options.prometheusExporter ?? true
      ? [`  http-request use-service prometheus-exporter if { path ${HAPROXY_METRICS_PATH} }`]
      : []),
    '  stats enable',
    `  stats uri ${HAPROXY_STATS_PATH}`,
    '  stats refresh 10s',
  ];
  const header = `# haproxy.cfg for WebStack ${stack.namespace}/${stack.name}, rendered by webstack-operator; edits are overwritten.`;
  const admin = adminFrontend(bind(address, ports.admin));
  return [[header], global, defaults, resolvers, frontend, backend, stats, admin].map((s) => s.join('\n')).join('\n\n') + '\n';
}
