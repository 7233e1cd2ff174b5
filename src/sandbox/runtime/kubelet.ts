/**
 * The sandbox's kubelet: one PodRunner per Pod in the cache (on a real control plane, per Pod
 * bound to this runtime's Node; the others are another node's business). A pod being deleted (deletionTimestamp)
 * has its processes stopped within its grace period and is then removed for good
 * (gracePeriodSeconds=0), as a real kubelet finishes a graceful deletion.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { randomInt } from 'node:crypto';
import { AddressPool, POD_NETWORK } from './addresses.js';
import { tolerate } from './cluster.js';
import { isTerminating } from './pod-state.js';
import { PodRunner, type RunnerEnv } from './pod-runner.js';

const DEFAULT_GRACE_SECONDS = 30;

export class Kubelet {
  private readonly runners = new Map<string, PodRunner>();
  private readonly stopping = new Map<string, Promise<void>>();
  private readonly addresses: AddressPool;
  private closed = false;

  constructor(private readonly env: RunnerEnv, podNetwork: readonly [number, number] = POD_NETWORK) {
    this.addresses = new AddressPool(podNetwork, randomInt(256 * 254));
  }

  sync(): void {
    if (this.closed) return;
    const nodeName = this.env.node?.name;
    const pods = this.env.cluster.pods().filter((p) => !nodeName || p.spec?.nodeName === nodeName);
    const seen = new Set<string>();
    for (const pod of pods) {
      const uid = pod.metadata?.uid ?? '';
      seen.add(uid);
      const runner = this.runners.get(uid);
      if (isTerminating(pod)) {
        if (!this.stopping.has(uid)) this.finish(pod, runner);
        continue;
      }
      if (runner || this.stopping.has(uid)) continue;
      const phase = pod.status?.phase;
      if (phase === 'Succeeded' || phase === 'Failed') continue;
      // A StatefulSet pod re-created under the same name waits for its predecessor's processes to end.
      const sameName = [...this.runners.values()].find((r) => r.namespace === pod.metadata?.namespace && r.name === pod.metadata?.name);
      if (sameName) continue;
      if ([...this.stopping.keys()].some((k) => k.startsWith(`name:${pod.metadata?.namespace}/${pod.metadata?.name}`))) continue;
      const ip = this.addresses.allocate(uid);
      const r = new PodRunner(pod, ip, this.env);
      this.runners.set(uid, r);
      r.start();
    }
    for (const [uid, runner] of this.runners) {
      if (!seen.has(uid)) void this.stopRunner(uid, runner, 0);
    }
  }

  private finish(pod: V1Pod, runner: PodRunner | undefined): void {
    const uid = pod.metadata?.uid ?? '';
    const grace = (pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS) * 1000;
    const done = (runner ? this.stopRunner(uid, runner, grace, true) : Promise.resolve()).then(async () => {
      await tolerate(this.env.cluster.core.deleteNamespacedPod({
        // In the body: with a body present, the real API server reads DeleteOptions from it alone and ignores the query.
        name: pod.metadata!.name!, namespace: pod.metadata!.namespace!,
        body: { gracePeriodSeconds: 0, preconditions: { uid } },
      }), 404, 409).catch((err) => this.env.log.warn('could not finish pod deletion', { namespace: pod.metadata?.namespace, pod: pod.metadata?.name, error: String(err) }));
    });
    this.stopping.set(uid, done);
    void done.finally(() => this.stopping.delete(uid));
  }

  /** `preStop`: a pod deletion runs the containers' preStop hooks; the runtime shutting down does not wait for them. */
  private stopRunner(uid: string, runner: PodRunner, graceMs: number, preStop = false): Promise<void> {
    const key = `name:${runner.namespace}/${runner.name}:${uid}`;
    const existing = this.stopping.get(key);
    if (existing) return existing;
    this.runners.delete(uid);
    const done = runner.stop(graceMs, { preStop }).finally(() => {
      this.addresses.release(uid);
      this.stopping.delete(key);
      // The pod's successor (same name) may be waiting for this one.
      this.sync();
    });
    this.stopping.set(key, done);
    return done;
  }

  /** The runner of a pod by namespace and name. */
  runner(namespace: string, name: string): PodRunner | undefined {
    return [...this.runners.values()].find((r) => r.namespace === namespace && r.name === name);
  }

  allRunners(): PodRunner[] {
    return [...this.runners.values()];
  }

  async stopAll(graceMs: number): Promise<void> {
    this.closed = true;
    await Promise.all([...this.runners.entries()].map(([uid, r]) => this.stopRunner(uid, r, graceMs)));
    await Promise.all([...this.stopping.values()]);
  }
}
