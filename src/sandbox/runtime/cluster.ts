/**
 * The runtime's view of the API server: informers on the kinds a kubelet, a kube-proxy and the
 * workload controllers watch, plus typed clients for their writes. Every change of any watched
 * object calls the listeners (the runtime's loops are level-triggered and coalesce bursts).
 */
import {
  AppsV1Api, CoreV1Api, KubeConfig, PatchStrategy, makeInformer, setHeaderOptions,
  type Informer, type KubernetesObject, type ObjectCache, type V1Deployment, type V1PersistentVolume, type V1PersistentVolumeClaim,
  type V1Pod, type V1Service, type V1StatefulSet,
} from '@kubernetes/client-node';
import type { Logger } from '../../log.js';

/**
 * A KubeConfig from kubeconfig text. client-node 1.x refuses a plain-http server unless the cluster
 * skips TLS verification; the sandbox API server is plain http on loopback, so that is set here.
 */
export function kubeConfigFrom(text: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(text);
  kc.loadFromOptions({
    clusters: kc.clusters.map((c) => (c.server.startsWith('http://') ? { ...c, skipTLSVerify: true } : c)),
    users: kc.users,
    contexts: kc.contexts,
    currentContext: kc.currentContext,
  });
  return kc;
}

export const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

type Watched<T extends KubernetesObject> = Informer<T> & ObjectCache<T>;

export interface Cluster {
  core: CoreV1Api;
  apps: AppsV1Api;
  pods(): V1Pod[];
  deployments(): V1Deployment[];
  statefulSets(): V1StatefulSet[];
  services(): V1Service[];
  claims(): V1PersistentVolumeClaim[];
  /** PersistentVolumes: watched only on a real control plane (where this runtime provisions them). */
  volumes(): V1PersistentVolume[];
  /** Called on every add, update and delete of a watched object (and on reconnects). */
  onChange(listener: (kind: string, obj: KubernetesObject, verb: string) => void): void;
  /** Resolves once every informer has listed. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function connect(kc: KubeConfig, log: Logger, opts: { persistentVolumes?: boolean } = {}): Cluster {
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const listeners: Array<(kind: string, obj: KubernetesObject, verb: string) => void> = [];
  let stopped = false;

  function watch<T extends KubernetesObject>(kind: string, path: string, list: () => Promise<{ items: T[]; metadata?: { resourceVersion?: string } }>): Watched<T> {
    const informer = makeInformer<T>(kc, path, list as never);
    for (const verb of ['add', 'update', 'delete'] as const) {
      informer.on(verb, (obj: T) => { for (const l of listeners) l(kind, obj, verb); });
    }
    informer.on('error', (err: unknown) => {
      if (stopped) return;
      log.debug('watch failed, restarting', { kind, error: String(err) });
      // The informer stops on an error; a kubelet keeps watching, so start it again after a pause.
      setTimeout(() => { if (!stopped) informer.start().catch(() => undefined); }, 500);
    });
    return informer;
  }

  const informers = {
    pods: watch<V1Pod>('Pod', '/api/v1/pods', () => core.listPodForAllNamespaces()),
    deployments: watch<V1Deployment>('Deployment', '/apis/apps/v1/deployments', () => apps.listDeploymentForAllNamespaces()),
    statefulSets: watch<V1StatefulSet>('StatefulSet', '/apis/apps/v1/statefulsets', () => apps.listStatefulSetForAllNamespaces()),
    services: watch<V1Service>('Service', '/api/v1/services', () => core.listServiceForAllNamespaces()),
    claims: watch<V1PersistentVolumeClaim>('PersistentVolumeClaim', '/api/v1/persistentvolumeclaims', () => core.listPersistentVolumeClaimForAllNamespaces()),
    ...(opts.persistentVolumes ? { volumes: watch<V1PersistentVolume>('PersistentVolume', '/api/v1/persistentvolumes', () => core.listPersistentVolume()) } : {}),
  };

  return {
    core,
    apps,
    pods: () => [...informers.pods.list()],
    deployments: () => [...informers.deployments.list()],
    statefulSets: () => [...informers.statefulSets.list()],
    services: () => [...informers.services.list()],
    claims: () => [...informers.claims.list()],
    volumes: () => [...(informers.volumes?.list() ?? [])],
    onChange: (l) => { listeners.push(l); },
    start: async () => { await Promise.all(Object.values(informers).map((i) => i.start())); },
    stop: async () => {
      stopped = true;
      await Promise.all(Object.values(informers).map((i) => i.stop()));
    },
  };
}

/** The HTTP status of a failed client-node call, when it has one. */
export function httpStatus(err: unknown): number | undefined {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'number' ? code : undefined;
}

/** Runs a write; a 404 (already gone) or 409 (already exists) is not an error for an idempotent controller. */
export async function tolerate<T>(write: Promise<T>, ...statuses: number[]): Promise<T | undefined> {
  try {
    return await write;
  } catch (err) {
    if (statuses.includes(httpStatus(err) ?? -1)) return undefined;
    throw err;
  }
}

/** Coalesces bursts of triggers into one run at a time; a trigger during a run schedules one more. */
export class Debouncer {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private again = false;
  private closed = false;

  constructor(private readonly run: () => Promise<void>, private readonly delayMs = 20, private readonly onError: (err: unknown) => void = () => undefined) {}

  trigger(): void {
    if (this.closed) return;
    if (this.running) { this.again = true; return; }
    if (this.timer) return;
    this.timer = setTimeout(() => { this.timer = undefined; void this.execute(); }, this.delayMs);
  }

  private async execute(): Promise<void> {
    this.running = true;
    try {
      await this.run();
    } catch (err) {
      this.onError(err);
    } finally {
      this.running = false;
      if (this.again) { this.again = false; this.trigger(); }
    }
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
  }
}
