/**
 * How the sandbox runs one container of a Pod as a local process: which program, with which
 * arguments and environment, decided from the Pod spec alone (no I/O here).
 *  - image haproxy*          -> `haproxy -db -f <derived config>` (see haproxy-derive.ts)
 *  - image mysql* / mariadb* -> the container's own command (the stack's start.sh), with the
 *                               server binaries found on this machine
 *  - image webstack-operator -> the operator (`operatorCommand ... run <args>`) in a private mount
 *                               namespace with its volumes at their real paths (mount-namespace.ts)
 *  - image mysqld-exporter   -> Debian's prometheus-mysqld-exporter with the container's args, its
 *                               my.cnf derived for the pod (exporter-derive.ts)
 *  - any other image         -> the demo app, `node examples/demo-app/server.js`
 * Paths the container would see are translated to the pod's directories (mounts.ts), and the pod
 * binds to its own loopback address.
 */
import type { V1Container, V1EnvVar, V1Pod } from '@kubernetes/client-node';
import { DATABASE_CONFIG_DIR, SERVER_CONFIG_KEY } from '../../render/mysql-config.js';
import { metadataField } from './downward-api.js';
import { expandVars, translatePath, translatePathsIn, type HostMount } from './mounts.js';
import { namespacedLaunch, type HostFacts } from './mount-namespace.js';

export type ContainerKind = 'haproxy' | 'database' | 'operator' | 'exporter' | 'app';

/** The image the operator itself ships in, and its entrypoint's program and subcommand. */
export const OPERATOR_IMAGE = 'webstack-operator';
export const OPERATOR_ENTRYPOINT = ['webstack-operator', 'run'];

/** Where the demo app looks for the sandbox DNS server and the search domain for short names. */
export const SANDBOX_DNS_ENV = 'SANDBOX_DNS';
export const SANDBOX_DNS_SEARCH_ENV = 'SANDBOX_DNS_SEARCH';
export const DEFAULT_HAPROXY_CONFIG = '/usr/local/etc/haproxy/haproxy.cfg';
/** mysqld-exporter's own default for --web.listen-address. */
const EXPORTER_DEFAULT_PORT = 9104;

export interface PodContext {
  pod: V1Pod;
  podIP: string;
  /** The pod's private root for paths not under a volume. */
  rootfs: string;
  /** Volume name -> host directory holding its files. */
  volumeDirs: Record<string, string>;
  configMaps: Record<string, Record<string, string>>;
  secrets: Record<string, Record<string, string>>;
  dns?: { address: string; search: string[] };
  demoAppPath: string;
  /** Resolves a program name to an absolute path on this machine, or undefined. */
  which: (program: string) => string | undefined;
  /** True when the `mysqld` found on this machine is really MariaDB (Debian links one to the other). */
  mysqldIsMariadb: boolean;
  hostPath: string;
  /** The Node the pod is bound to; 'sandbox' when none is registered. */
  nodeName?: string;
  /** Variables every container gets before its own (the `kubernetes` Service's, on a real control plane). */
  serviceEnv?: Record<string, string>;
  /** How to start the operator's image: program and leading arguments. */
  operatorCommand?: { command: string; args: string[] };
  /** What the operator's mount namespace needs to know about this machine; without it, operator images can't run. */
  mountHost?: HostFacts;
  /** Paths that mounts must not hide from the start script (the state dir). */
  keepVisible?: string[];
}

export interface ProcessPlan {
  kind: ContainerKind;
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  /** For haproxy: the rendered config to read and where the derived one goes. */
  haproxyConfig?: { source: string; target: string };
  /** For mysqld-exporter: the rendered my.cnf, where the derived one goes, and the process's own /etc/hosts. */
  exporterConfig?: { source: string; target: string; hostsFile: string };
  /** The image's STOPSIGNAL, sent when the pod is deleted; SIGTERM when unset. */
  stopSignal?: NodeJS.Signals;
}

export type ContainerPlan = ProcessPlan | { kind: ContainerKind; error: string; reason: string };

export function containerKind(image: string | undefined): ContainerKind {
  const repo = (image ?? '').split('@')[0].replace(/:[^/]*$/, '');
  const base = repo.split('/').pop() ?? '';
  if (base === 'haproxy' || base.startsWith('haproxy-')) return 'haproxy';
  if (['mysql', 'mariadb', 'mysql-server', 'percona-server'].includes(base)) return 'database';
  if (base === OPERATOR_IMAGE) return 'operator';
  if (base === 'mysqld-exporter') return 'exporter';
  return 'app';
}

export function databaseEngine(image: string | undefined): 'mysql' | 'mariadb' {
  const base = (image ?? '').split('@')[0].replace(/:[^/]*$/, '').split('/').pop() ?? '';
  return base === 'mariadb' ? 'mariadb' : 'mysql';
}

export function containerMounts(container: V1Container, volumeDirs: Record<string, string>): Array<HostMount & { readOnly?: boolean }> {
  const out: Array<HostMount & { readOnly?: boolean }> = [];
  for (const m of container.volumeMounts ?? []) {
    const dir = volumeDirs[m.name];
    if (!dir) continue;
    out.push({ mountPath: m.mountPath, hostPath: m.subPath ? `${dir}/${m.subPath}` : dir, ...(m.readOnly ? { readOnly: true } : {}) });
  }
  return out;
}

function fieldValue(fieldPath: string, ctx: PodContext): string {
  const fromMetadata = metadataField(ctx.pod, fieldPath);
  if (fromMetadata !== undefined) return fromMetadata;
  switch (fieldPath) {
    case 'status.podIP': case 'status.podIPs': return ctx.podIP;
    // The node's address, as the pod's status reports it (pod-status.ts).
    case 'status.hostIP': case 'status.hostIPs': return '127.0.0.1';
    case 'spec.nodeName': return ctx.pod.spec?.nodeName ?? ctx.nodeName ?? 'sandbox';
    case 'spec.serviceAccountName': return ctx.pod.spec?.serviceAccountName ?? 'default';
    default: throw new Error(`env valueFrom.fieldRef.fieldPath: '${fieldPath}' is not supported by the sandbox`);
  }
}

/** The container's environment as Kubernetes builds it: envFrom first, then env in order with $(VAR) expansion. */
export function containerEnv(container: V1Container, ctx: PodContext): Record<string, string> {
  const env: Record<string, string> = { ...(ctx.serviceEnv ?? {}) };
  for (const src of container.envFrom ?? []) {
    const data = src.configMapRef ? ctx.configMaps[src.configMapRef.name ?? ''] : src.secretRef ? ctx.secrets[src.secretRef.name ?? ''] : undefined;
    const optional = src.configMapRef?.optional ?? src.secretRef?.optional ?? false;
    if (!data) {
      if (optional) continue;
      throw new Error(`envFrom: ${src.configMapRef ? 'ConfigMap' : 'Secret'} ${src.configMapRef?.name ?? src.secretRef?.name} not found`);
    }
    for (const [k, v] of Object.entries(data)) env[`${src.prefix ?? ''}${k}`] = v;
  }
  for (const e of container.env ?? []) env[e.name] = envValue(e, ctx, env);
  return env;
}

function envValue(e: V1EnvVar, ctx: PodContext, soFar: Record<string, string>): string {
  if (e.value !== undefined) return expandVars(e.value, soFar);
  const from = e.valueFrom;
  if (!from) return '';
  if (from.fieldRef) return fieldValue(from.fieldRef.fieldPath, ctx);
  const ref = from.secretKeyRef ?? from.configMapKeyRef;
  if (ref) {
    const kind = from.secretKeyRef ? 'Secret' : 'ConfigMap';
    const data = (from.secretKeyRef ? ctx.secrets : ctx.configMaps)[ref.name ?? ''];
    const value = data?.[ref.key];
    if (value === undefined) {
      if (ref.optional) return '';
      throw new Error(`env ${e.name}: ${kind} ${ref.name} key ${ref.key} not found`);
    }
    return value;
  }
  if (from.resourceFieldRef) return '0';
  throw new Error(`env ${e.name}: unsupported valueFrom`);
}

function haproxyConfigPath(argv: string[]): string {
  const i = argv.indexOf('-f');
  return i >= 0 && argv[i + 1] ? argv[i + 1] : DEFAULT_HAPROXY_CONFIG;
}

/** The listening port the demo app gets when the pod sets no PORT: the container's first port. */
function firstPort(container: V1Container): string | undefined {
  const p = container.ports?.[0]?.containerPort;
  return p === undefined ? undefined : String(p);
}

export function planContainer(container: V1Container, ctx: PodContext): ContainerPlan {
  const kind = containerKind(container.image);
  const mounts = containerMounts(container, ctx.volumeDirs);
  let podEnv: Record<string, string>;
  try {
    podEnv = containerEnv(container, ctx);
  } catch (err) {
    return { kind, error: (err as Error).message, reason: 'CreateContainerConfigError' };
  }
  const tr = (s: string) => translatePathsIn(expandVars(s, podEnv), mounts, ctx.rootfs);
  const env: Record<string, string> = {
    PATH: `${ctx.hostPath}:/usr/local/sbin:/usr/sbin:/sbin`,
    HOME: ctx.rootfs,
    HOSTNAME: ctx.pod.metadata?.name ?? '',
    POD_IP: ctx.podIP,
  };
  // Only values that are a path are translated: a password or a URL is passed as it is.
  for (const [k, v] of Object.entries(podEnv)) env[k] = /^\/\S*$/.test(v) ? translatePath(v, mounts, ctx.rootfs) : v;
  const cwd = container.workingDir ? translatePath(container.workingDir, mounts, ctx.rootfs) : ctx.rootfs;
  const argv = [...(container.command ?? []), ...(container.args ?? [])].map(tr);

  if (kind === 'haproxy') {
    const haproxy = ctx.which('haproxy');
    if (!haproxy) return { kind, error: 'haproxy is not installed (apt-get install haproxy)', reason: 'HaproxyNotFound' };
    const source = translatePath(haproxyConfigPath([...(container.command ?? []), ...(container.args ?? [])]), mounts, ctx.rootfs);
    const target = `${ctx.rootfs}/haproxy.cfg`;
    // The official image's STOPSIGNAL: a soft stop that finishes open requests (SIGTERM would cut them).
    return { kind, command: haproxy, args: ['-db', '-f', target], env, cwd, haproxyConfig: { source, target }, stopSignal: 'SIGUSR1' };
  }

  if (kind === 'database') {
    const engine = databaseEngine(container.image);
    const server = engine === 'mariadb' ? ctx.which('mariadbd') : ctx.which('mysqld');
    if (engine === 'mysql' && (!server || ctx.mysqldIsMariadb)) {
      return { kind, error: 'engine mysql needs mysqld on PATH; use engine: mariadb in the sandbox', reason: 'MysqldNotFound' };
    }
    if (!server) return { kind, error: 'engine mariadb needs mariadbd (apt-get install mariadb-server)', reason: 'MariadbdNotFound' };
    if (argv.length === 0) return { kind, error: 'the database container has no command: the sandbox runs the stack\'s start script', reason: 'NoCommand' };
    env.MYSQLD = server;
    for (const name of ['INSTALL_DB', 'CLIENT']) {
      const v = env[name];
      if (v && !v.includes('/')) env[name] = ctx.which(v) ?? v;
    }
    // Every pod listens on its own loopback address, so all of them can use port 3306.
    env.BIND_ADDRESS = ctx.podIP;
    // The start script's own default is a path inside the container, which only the environment can move.
    env.CONFIG_FILE ??= translatePath(`${DATABASE_CONFIG_DIR}/${SERVER_CONFIG_KEY}`, mounts, ctx.rootfs);
    const command = ctx.which(argv[0]) ?? argv[0];
    return { kind, command, args: argv.slice(1), env, cwd };
  }

  if (kind === 'operator') return planOperator(container, ctx, podEnv);
  if (kind === 'exporter') return planExporter(container, ctx, env);

  env.HOST = ctx.podIP;
  if (!env.PORT) {
    const port = firstPort(container);
    if (port) env.PORT = port;
  }
  env.POD_NAME ??= ctx.pod.metadata?.name ?? '';
  if (ctx.dns) {
    env[SANDBOX_DNS_ENV] = ctx.dns.address;
    env[SANDBOX_DNS_SEARCH_ENV] = ctx.dns.search.join(',');
  }
  return { kind, command: process.execPath, args: [ctx.demoAppPath], env, cwd };
}

/**
 * The image's entrypoint is the exporter: its `args` run against Debian's binary. It listens on the
 * pod's address, reads its my.cnf derived for the pod, and resolves `localhost` to the pod through
 * an /etc/hosts of its own (exporter-derive.ts).
 */
function planExporter(container: V1Container, ctx: PodContext, env: Record<string, string>): ContainerPlan {
  const kind = 'exporter';
  const program = ctx.which('prometheus-mysqld-exporter') ?? ctx.which('mysqld_exporter');
  if (!program) return { kind, error: 'mysqld-exporter needs prometheus-mysqld-exporter (apt-get install prometheus-mysqld-exporter)', reason: 'MysqldExporterNotFound' };
  if (!ctx.mountHost) return { kind, error: 'mysqld-exporter runs only on a node that can give it an /etc/hosts of its own (unshare)', reason: 'CreateContainerError' };
  const mounts = containerMounts(container, ctx.volumeDirs);
  const target = `${ctx.rootfs}/my.cnf`;
  let source: string | undefined;
  let listens = false;
  const args = (container.args ?? []).map((raw) => {
    const arg = expandVars(raw, env);
    const cnf = /^--config\.my-cnf=(.+)$/.exec(arg);
    if (cnf) {
      source = translatePath(cnf[1], mounts, ctx.rootfs);
      return `--config.my-cnf=${target}`;
    }
    const listen = /^--web\.listen-address=.*:(\d+)$/.exec(arg);
    if (listen) {
      listens = true;
      return `--web.listen-address=${ctx.podIP}:${listen[1]}`;
    }
    return translatePathsIn(arg, mounts, ctx.rootfs);
  });
  if (!source) return { kind, error: 'the sandbox runs mysqld-exporter with --config.my-cnf=FILE only', reason: 'CreateContainerError' };
  if (!listens) args.push(`--web.listen-address=${ctx.podIP}:${EXPORTER_DEFAULT_PORT}`);
  const hostsFile = `${ctx.rootfs}/hosts`;
  const launch = namespacedLaunch(program, args, [{ mountPath: '/etc/hosts', hostPath: hostsFile }], ctx.mountHost, ctx.keepVisible ?? []);
  if ('error' in launch) return { kind, error: launch.error, reason: 'CreateContainerError' };
  return { kind, command: launch.command, args: launch.args, env, cwd: ctx.rootfs, exporterConfig: { source, target, hostsFile } };
}

/**
 * Kubernetes semantics: `command` replaces the image's entrypoint and `args` its (empty) CMD. The
 * entrypoint's program is the operator itself, started as `operatorCommand` says. Paths are not
 * translated: the mount namespace puts every volume where the container expects it.
 */
function planOperator(container: V1Container, ctx: PodContext, podEnv: Record<string, string>): ContainerPlan {
  const kind = 'operator';
  if (!ctx.operatorCommand || !ctx.mountHost) return { kind, error: 'the operator image runs only on a node that knows how to start it', reason: 'OperatorNotConfigured' };
  const expand = (s: string) => expandVars(s, podEnv);
  const [program, ...rest] = (container.command ?? OPERATOR_ENTRYPOINT).map(expand);
  const args = [...rest, ...(container.args ?? []).map(expand), `--bind-address=${ctx.podIP}`];
  const own = program === OPERATOR_ENTRYPOINT[0];
  const command = own ? ctx.operatorCommand.command : ctx.which(program) ?? program;
  const launch = namespacedLaunch(command, own ? [...ctx.operatorCommand.args, ...args] : args, containerMounts(container, ctx.volumeDirs), ctx.mountHost, ctx.keepVisible ?? []);
  if ('error' in launch) return { kind, error: launch.error, reason: 'CreateContainerError' };
  const env: Record<string, string> = { PATH: ctx.hostPath, HOME: '/root', HOSTNAME: ctx.pod.metadata?.name ?? '', ...podEnv };
  return { kind, command: launch.command, args: launch.args, env, cwd: ctx.rootfs };
}
