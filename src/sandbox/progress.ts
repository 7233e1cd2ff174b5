/**
 * The lines the sandbox prints about its stacks while they start and run: what each pod that is
 * not Ready waits for, how the stack's Ready condition reads, and the stack's Events (failovers,
 * switchovers, quarantines) as they happen. Pure: objects in, text out.
 */
import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';

/** Why a pod is not Ready, in kubectl's words; undefined when it is Ready or going away. */
export function podWaitsFor(pod: V1Pod): string | undefined {
  if (pod.metadata?.deletionTimestamp) return undefined;
  const conditions = pod.status?.conditions ?? [];
  if (conditions.some((c) => c.type === 'Ready' && c.status === 'True')) return undefined;
  const statuses = pod.status?.containerStatuses ?? [];
  if (statuses.length === 0) {
    const unscheduled = conditions.find((c) => c.type === 'PodScheduled' && c.status === 'False');
    if (unscheduled) return `not scheduled: ${unscheduled.message ?? unscheduled.reason ?? 'no node'}`;
    return pod.status?.phase === 'Pending' || !pod.status?.phase ? 'waiting to start' : `phase ${pod.status.phase}`;
  }
  const parts: string[] = [];
  for (const c of statuses) {
    if (c.ready) continue;
    const s = c.state ?? {};
    if (s.waiting) parts.push(`${c.name}: ${s.waiting.reason ?? 'waiting'}${s.waiting.message ? ` (${s.waiting.message})` : ''}`);
    else if (s.terminated) parts.push(`${c.name}: exited with code ${s.terminated.exitCode}${s.terminated.reason ? ` (${s.terminated.reason})` : ''}`);
    else if (s.running) parts.push(`${c.name}: running, readiness probe not passing yet${c.restartCount ? `, ${c.restartCount} restart${c.restartCount === 1 ? '' : 's'}` : ''}`);
    else parts.push(`${c.name}: starting`);
  }
  return parts.length > 0 ? parts.join('; ') : 'containers ready, the pod not yet';
}

export interface ReadyCondition { status?: string; reason?: string; message?: string }

/** `Ready=False RollingOut: database: 1/3 pods ready`, or that the operator hasn't written one yet. */
export function readyLine(ready: ReadyCondition | undefined): string {
  if (!ready) return 'waiting for the operator to report';
  return `Ready=${ready.status ?? 'Unknown'} ${ready.reason ?? ''}${ready.message ? `: ${ready.message}` : ''}`;
}

/** An Event's identity and count: a repeated Event (count + 1) is printed again. */
export function eventKey(event: CoreV1Event): string {
  return `${event.metadata?.uid ?? event.metadata?.name}#${event.count ?? 1}`;
}

/** `12:03:04 shop Warning InstanceQuarantined: ...`: only Events about WebStacks, the stack's own story. */
export function eventLine(event: CoreV1Event): string | undefined {
  if (event.involvedObject?.kind !== 'WebStack') return undefined;
  const at = event.lastTimestamp ?? event.eventTime ?? event.firstTimestamp;
  const time = at ? new Date(at).toISOString().slice(11, 19) : '--:--:--';
  return `${time} ${event.involvedObject.name} ${event.type ?? 'Normal'} ${event.reason ?? ''}: ${event.message ?? ''}`;
}
