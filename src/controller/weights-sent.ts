/**
 * Which HAProxy pods already run the tier weights of the spec: each stack's pods are sent the weights
 * only when the weights changed or a pod is new (another pod, address or container restart), not on
 * every reconcile. Kept in memory only: a restarted operator sends them once more, which changes nothing
 * in a pod already at them. Pure.
 */
import type { HaproxyPod } from './haproxy-weights.js';

/** One run of a pod's haproxy: a restarted container starts from haproxy.cfg again. */
function incarnation(pod: HaproxyPod): string {
  const restarts = (pod.status?.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0);
  return `${pod.metadata.uid ?? ''}/${pod.status?.podIP ?? ''}/${restarts}`;
}

export class WeightsSent {
  /** Per stack: per pod name, the incarnation and the request body it took. */
  private readonly stacks = new Map<string, Map<string, string>>();

  /** The pods of `stack` that have not taken `body` in their current run; forgets pods that are gone. */
  due(stack: string, pods: readonly HaproxyPod[], body: string): HaproxyPod[] {
    const sent = this.stacks.get(stack);
    if (!sent) return [...pods];
    const names = new Set(pods.map((p) => p.metadata.name));
    for (const name of sent.keys()) if (!names.has(name)) sent.delete(name);
    return pods.filter((p) => sent.get(p.metadata.name ?? '') !== `${incarnation(p)} ${body}`);
  }

  /** `pod` took `body`. */
  sent(stack: string, pod: HaproxyPod, body: string): void {
    let sent = this.stacks.get(stack);
    if (!sent) this.stacks.set(stack, (sent = new Map()));
    sent.set(pod.metadata.name ?? '', `${incarnation(pod)} ${body}`);
  }

  forget(stack: string): void {
    this.stacks.delete(stack);
  }
}
