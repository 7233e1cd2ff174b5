/**
 * The sandbox's local runtime: workload controllers, kubelet, kube-proxy and the DNS feed, all
 * against one API server. `startRuntime` returns once the caches are filled and the loops run.
 * With `node` set it is a Node of a real control plane instead: it registers the Node, runs only
 * the pods bound to it, provisions local volumes, serves container logs, and leaves workloads and
 * Endpoints to the real controllers.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../log.js';
import { connect, Debouncer, kubeConfigFrom } from './cluster.js';
import { CLUSTER_DOMAIN } from './dns-records.js';
import { which } from './host-tools.js';
import { Kubelet } from './kubelet.js';
import { subjectAccessReviewer } from './kubelet-authorizer.js';
import { startKubeletServer, type KubeletServer } from './kubelet-server.js';
import { kubernetesServiceEnv } from './kubernetes-env.js';
import type { HostFacts } from './mount-namespace.js';
import { NodeAgent, nodeFacts } from './node-agent.js';
import { setUpPodNetwork, setUpServiceNetwork } from './pod-network.js';
import type { Partitions } from './partitions.js';
import type { PodRunner } from './pod-runner.js';
import { ServiceController, type DnsSink, type ServiceAddress } from './services.js';
import { VolumeProvisioner } from './volume-provisioner.js';
import { WorkloadControllers } from './workloads.js';

export interface RuntimeOptions {
  /** A kubeconfig's text (as the API server's `kubeconfig()` returns it). */
  kubeconfig: string;
  /** Where pod files, volumes and logs live. */
  stateDir: string;
  log: Logger;
  /** The sandbox DNS server: the runtime feeds it and points pods at `address`. */
  dns?: DnsSink & { address: string };
  /** The demo app every app pod runs; defaults to examples/demo-app/server.js in this repository. */
  demoAppPath?: string;
  clusterDomain?: string;
  /** How often loops run even without events (status, late readiness), ms. */
  resyncMs?: number;
  /** Be a Node of a real control plane (whose controllers run the workloads) instead of the whole cluster. */
  node?: {
    name: string;                                   // the Node to register, e.g. 'sandbox'
    apiServer: { host: string; port: number };      // what pods get as KUBERNETES_SERVICE_HOST/PORT
    kubeletTls: { cert: string; key: string };      // PEM for the kubelet HTTPS server
  };
  /** How to start the operator's own image (`webstack-operator`, entrypoint `webstack-operator run`): command + leading args; the container's args are appended. Default: this Node with the repo's dist/cli.js. */
  operatorCommand?: { command: string; args: string[] };
  /** Puts each pod's processes in a partition endpoint of its own, for `sandbox partition`; absent: no partitions. */
  partitions?: Partitions;
}

export interface Runtime {
  /** A Service's loopback address and listening ports, once it has them. */
  serviceAddress(namespace: string, name: string): ServiceAddress | undefined;
  /** Sends a signal to every container process of a pod; returns how many received it. */
  signalPod(namespace: string, name: string, signal: NodeJS.Signals): number;
  /** SIGKILLs a pod's processes and keeps them down for `downForMs` before the kubelet restarts them. */
  crashPod(namespace: string, name: string, downForMs: number): number;
  pod(namespace: string, name: string): PodRunner | undefined;
  pods(): PodRunner[];
  /** Stops every loop and process (SIGTERM, then SIGKILL after `graceMs`). */
  close(graceMs?: number): Promise<void>;
}

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const DEFAULT_DEMO_APP = path.join(REPO, 'examples/demo-app/server.js');
export const DEFAULT_OPERATOR_COMMAND = { command: process.execPath, args: [path.join(REPO, 'dist/cli.js')] };

/** The operator from this checkout's TypeScript sources, from any working directory (a pod's root): no build needed. */
export const OPERATOR_FROM_SOURCE = {
  command: '/usr/bin/env',
  args: [`SWC_NODE_PROJECT=${path.join(REPO, 'tsconfig.json')}`, process.execPath, '--import', path.join(REPO, 'src/sandbox/swc-register.mjs'),
    path.join(REPO, 'src/cli.ts')],
};

function mountHost(): HostFacts | undefined {
  const unshare = which('unshare');
  if (!unshare) return undefined;
  return {
    exists: (p) => existsSync(p),
    realpath: (p) => { try { return realpathSync(p); } catch { return p; } },
    isRoot: process.getuid?.() === 0,
    unshare, shell: '/bin/sh',
  };
}

/**
 * Unix socket paths are limited to ~100 bytes, and pods put sockets deep in the state dir: a long
 * state dir is reached through a short symlink in the temp dir instead.
 */
function shortAlias(stateDir: string): string {
  if (stateDir.length <= 40) return stateDir;
  const alias = path.join(os.tmpdir(), `wso-${createHash('sha256').update(stateDir).digest('hex').slice(0, 10)}`);
  rmSync(alias, { force: true });
  symlinkSync(stateDir, alias);
  return alias;
}

export async function startRuntime(opts: RuntimeOptions): Promise<Runtime> {
  const kc = kubeConfigFrom(opts.kubeconfig);
  const log = opts.log;
  const clusterDomain = opts.clusterDomain ?? CLUSTER_DOMAIN;
  const node = opts.node;
  const cluster = connect(kc, log, { persistentVolumes: Boolean(node) });
  mkdirSync(opts.stateDir, { recursive: true });
  const stateDir = shortAlias(path.resolve(opts.stateDir));
  const podNetwork = node ? setUpPodNetwork(which('ip')) : undefined;
  if (podNetwork && !podNetwork.routed) log.warn('pods get loopback addresses, which the API server refuses in EndpointSlices', { reason: podNetwork.reason });
  const kubelet = new Kubelet({
    cluster, log, stateDir, demoAppPath: opts.demoAppPath ?? DEFAULT_DEMO_APP,
    dns: opts.dns ? { address: opts.dns.address } : undefined, clusterDomain,
    node: node ? { name: node.name, serviceEnv: kubernetesServiceEnv(node.apiServer) } : undefined,
    operatorCommand: opts.operatorCommand ?? DEFAULT_OPERATOR_COMMAND, mountHost: mountHost(), partitions: opts.partitions,
  }, podNetwork?.network);
  const serviceNetwork = node ? setUpServiceNetwork(which('ip')) : undefined;
  if (serviceNetwork && !serviceNetwork.routed) log.warn('Services answer on loopback addresses, not on the cluster IPs kubectl shows', { reason: serviceNetwork.reason });
  const services = new ServiceController(cluster, log, opts.dns, clusterDomain, !node, serviceNetwork?.network);
  const onError = (what: string) => (err: unknown) => log.warn(`${what} sync failed`, { error: String(err) });
  const controllers = node
    ? new VolumeProvisioner(cluster, log, stateDir, node.name)
    : new WorkloadControllers(cluster, log, stateDir);
  const loops = [
    new Debouncer(() => controllers.sync(), 20, onError(node ? 'volume' : 'workload')),
    new Debouncer(async () => kubelet.sync(), 10, onError('kubelet')),
    new Debouncer(() => services.sync(), 10, onError('service')),
  ];
  let kubeletServer: KubeletServer | undefined;
  let agent: NodeAgent | undefined;
  if (node) {
    const clientCa = kc.getCurrentCluster()?.caData;
    if (!clientCa) throw new Error('node mode needs a kubeconfig with certificate-authority-data: the kubelet trusts API server clients signed by it');
    const server = await startKubeletServer({
      stateDir, tls: node.kubeletTls, clientCa: Buffer.from(clientCa, 'base64').toString('utf8'), authorize: subjectAccessReviewer(kc, node.name), log,
    });
    kubeletServer = server;
    try {
      agent = new NodeAgent(kc, await nodeFacts(kc, node.name, server.port, stateDir), log);
      await agent.start();
    } catch (err) {
      agent?.close();
      await server.close();
      throw err;
    }
  }
  const triggerAll = () => { for (const l of loops) l.trigger(); };
  cluster.onChange(triggerAll);
  await cluster.start();
  triggerAll();
  const resync = setInterval(triggerAll, opts.resyncMs ?? 1000);

  return {
    serviceAddress: (ns, name) => services.address(ns, name),
    signalPod: (ns, name, sig) => kubelet.runner(ns, name)?.signal(sig) ?? 0,
    crashPod: (ns, name, downForMs) => kubelet.runner(ns, name)?.crash(downForMs) ?? 0,
    pod: (ns, name) => kubelet.runner(ns, name),
    pods: () => kubelet.allRunners(),
    close: async (graceMs = 5000) => {
      agent?.close();
      clearInterval(resync);
      for (const l of loops) l.close();
      await cluster.stop();
      await kubelet.stopAll(graceMs);
      await services.close();
      await kubeletServer?.close();
      if (stateDir !== path.resolve(opts.stateDir)) rmSync(stateDir, { force: true });
    },
  };
}
