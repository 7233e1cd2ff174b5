/**
 * Plays the Deployment and StatefulSet controllers for tests (as envtest-based suites do): every
 * poll it writes each workload's status as if all its pods were up, unless the test holds some
 * replicas down. It can also play a cloud load balancer, giving LoadBalancer Services an address.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient, type KubeObj } from '../../src/kube/client.js';
import { resourceFor } from '../../src/controller/resources.js';

export interface SimulatorOptions {
  pollMs?: number;
  /** Address for LoadBalancer Services; none when unset. */
  loadBalancerIp?: string;
}

type Workload = KubeObj & { metadata: { name: string; namespace: string; generation?: number }; spec?: { replicas?: number }; status?: Record<string, unknown> };

export class WorkloadSimulator {
  private readonly client: KubeClient;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly down = new Map<string, number>();

  constructor(kubeconfig: string, private readonly opts: SimulatorOptions = {}) {
    const kc = new KubeConfig();
    kc.loadFromString(kubeconfig);
    this.client = new KubeClient(kc);
  }

  start(): void {
    const tick = async () => {
      this.running = this.syncAll().catch(() => undefined);
      await this.running;
      if (this.timer !== undefined) this.timer = setTimeout(() => void tick(), this.opts.pollMs ?? 150);
    };
    this.timer = setTimeout(() => void tick(), 0);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    this.client.close();
  }

  /** Keep `count` pods of a workload unready (a crash), until `heal`. */
  holdDown(kind: 'Deployment' | 'StatefulSet', namespace: string, name: string, count: number): void {
    this.down.set(`${kind}/${namespace}/${name}`, count);
  }

  heal(kind: 'Deployment' | 'StatefulSet', namespace: string, name: string): void {
    this.down.delete(`${kind}/${namespace}/${name}`);
  }

  private async syncAll(): Promise<void> {
    for (const kind of ['Deployment', 'StatefulSet'] as const) {
      const t = resourceFor('apps/v1', kind);
      const { items } = await this.client.list<Workload>(t);
      for (const w of items) {
        if (w.metadata.deletionTimestamp) continue;
        const replicas = w.spec?.replicas ?? 1;
        const ready = Math.max(0, replicas - (this.down.get(`${kind}/${w.metadata.namespace}/${w.metadata.name}`) ?? 0));
        const status: Record<string, unknown> = {
          observedGeneration: w.metadata.generation ?? 1, replicas, updatedReplicas: replicas, readyReplicas: ready,
          ...(kind === 'Deployment'
            ? { availableReplicas: ready, unavailableReplicas: replicas - ready }
            : { availableReplicas: ready, currentReplicas: replicas, currentRevision: `${w.metadata.name}-${w.metadata.generation ?? 1}`, updateRevision: `${w.metadata.name}-${w.metadata.generation ?? 1}` }),
        };
        const cur = w.status ?? {};
        if (Object.entries(status).every(([k, v]) => cur[k] === v)) continue;
        await this.client.mergePatch(t, w.metadata.namespace, w.metadata.name, { status }, 'status').catch(() => undefined);
      }
    }
    if (!this.opts.loadBalancerIp) return;
    const svc = resourceFor('v1', 'Service');
    const { items } = await this.client.list<KubeObj & { metadata: { name: string; namespace: string }; spec?: { type?: string }; status?: { loadBalancer?: { ingress?: unknown[] } } }>(svc);
    for (const s of items) {
      if (s.spec?.type !== 'LoadBalancer' || s.status?.loadBalancer?.ingress?.length) continue;
      await this.client.mergePatch(svc, s.metadata.namespace, s.metadata.name,
        { status: { loadBalancer: { ingress: [{ ip: this.opts.loadBalancerIp }] } } }, 'status').catch(() => undefined);
    }
  }
}
