/** Facts about a Pod read from its status, shared by the workload controllers and the proxy. */
import type { V1Pod } from '@kubernetes/client-node';

export function isTerminating(pod: V1Pod): boolean {
  return Boolean(pod.metadata?.deletionTimestamp);
}

export function isPodReady(pod: V1Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

export function podKey(pod: { metadata?: { namespace?: string; name?: string } }): string {
  return `${pod.metadata?.namespace ?? 'default'}/${pod.metadata?.name ?? ''}`;
}

/** True when `owner` is the controller of `pod` (by uid, as the garbage collector matches). */
export function isControlledBy(pod: V1Pod, owner: { metadata?: { uid?: string } }): boolean {
  const uid = owner.metadata?.uid;
  return Boolean(uid) && (pod.metadata?.ownerReferences ?? []).some((r) => r.controller && r.uid === uid);
}
