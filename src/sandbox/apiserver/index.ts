/**
 * The in-memory Kubernetes API server: the sandbox's stand-in for kube-apiserver, served over
 * plain HTTP on loopback, faithful where kubectl and the operator depend on it.
 */
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Api } from './api.js';
import { clusterIpAllocator } from './builtin-defaults.js';
import { FaultInjector } from './faults.js';
import { handle } from './http.js';
import type { PodLogSource } from './pod-logs.js';
import { kubeconfigYaml } from './kubeconfig.js';
import { WatchHub } from './watch.js';

export interface ApiServerOptions {
  host?: string;
  /** 0 = an ephemeral port. */
  port?: number;
  /** Events kept for watches to resume from; older resourceVersions get 410 Gone. */
  watchHistory?: number;
  /** How often watches that allow bookmarks get a BOOKMARK event. */
  bookmarkIntervalMs?: number;
  /** Serves `kubectl logs` (pods/log) for pods on a node: the runtime that runs them knows their output. */
  podLogs?: PodLogSource;
  /** The /16 Service cluster IPs come from (10.96 by default), and how many hosts in allocation begins. */
  serviceNetwork?: { network: readonly [number, number]; start: number };
}

export interface RunningApiServer {
  /** http://127.0.0.1:PORT */
  url: string;
  /** Kubeconfig YAML: cluster, user, context 'sandbox', namespace default. */
  kubeconfig(): string;
  writeKubeconfig(file: string): void;
  faults: {
    failNext(opts: { verb?: string; resource?: string; code: 409 | 500; count?: number }): void;
    dropWatches(): void;
    compact(): void;
  };
  close(): Promise<void>;
}

export async function startApiServer(opts: ApiServerOptions = {}): Promise<RunningApiServer> {
  const host = opts.host ?? '127.0.0.1';
  const api = new Api(opts.watchHistory ?? 10000, opts.serviceNetwork ? clusterIpAllocator(opts.serviceNetwork.network, opts.serviceNetwork.start) : undefined);
  const watches = new WatchHub(api);
  const injector = new FaultInjector();
  let address = '';
  const server: Server = createServer((req, res) => {
    void handle({ api, watches, faults: injector, serverAddress: () => address, bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 10000, podLogs: opts.podLogs }, req, res);
  });
  server.keepAliveTimeout = 65000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  address = `${host}:${port}`;
  const url = `http://${address}`;
  return {
    url,
    kubeconfig: () => kubeconfigYaml(url),
    writeKubeconfig: (file) => writeFileSync(file, kubeconfigYaml(url), { mode: 0o600 }),
    faults: {
      failNext: (rule) => injector.failNext(rule),
      dropWatches: () => watches.dropAll(),
      compact: () => api.store.compact(),
    },
    close: async () => {
      api.close();
      watches.dropAll();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
