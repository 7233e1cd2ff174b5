/**
 * The sandbox's local runtime: workload controllers, kubelet, kube-proxy and the DNS feed, all
 * against one API server. `startRuntime` returns once the caches are filled and the loops run.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../log.js';
import { connect, Debouncer, kubeConfigFrom } from './cluster.js';
import { CLUSTER_DOMAIN } from './dns-records.js';
import { Kubelet } from './kubelet.js';
import type { PodRunner } from './pod-runner.js';
import { ServiceController, type DnsSink, type ServiceAddress } from './services.js';
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

export const DEFAULT_DEMO_APP = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../examples/demo-app/server.js');

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
  const cluster = connect(kc, log);
  mkdirSync(opts.stateDir, { recursive: true });
  const stateDir = shortAlias(path.resolve(opts.stateDir));
  const workloads = new WorkloadControllers(cluster, log, stateDir);
  const kubelet = new Kubelet({
    cluster, log, stateDir, demoAppPath: opts.demoAppPath ?? DEFAULT_DEMO_APP,
    dns: opts.dns ? { address: opts.dns.address } : undefined, clusterDomain,
  });
  const services = new ServiceController(cluster, log, opts.dns, clusterDomain);
  const onError = (what: string) => (err: unknown) => log.warn(`${what} sync failed`, { error: String(err) });
  const loops = [
    new Debouncer(() => workloads.sync(), 20, onError('workload')),
    new Debouncer(async () => kubelet.sync(), 10, onError('kubelet')),
    new Debouncer(() => services.sync(), 10, onError('service')),
  ];
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
      clearInterval(resync);
      for (const l of loops) l.close();
      await cluster.stop();
      await kubelet.stopAll(graceMs);
      await services.close();
      if (stateDir !== path.resolve(opts.stateDir)) rmSync(stateDir, { force: true });
    },
  };
}
