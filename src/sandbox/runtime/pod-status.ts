/** A Pod's status as the kubelet reports it, built from its containers' states. Pure. */
import type { V1ContainerStatus, V1PodCondition, V1PodStatus } from '@kubernetes/client-node';
import type { ContainerState } from './container-process.js';

export interface ContainerView {
  name: string;
  image: string;
  current: ContainerState;
  lastTermination?: ContainerState;
  restartCount: number;
  ready: boolean;
  started: boolean;
}

export interface PodView {
  podIP?: string;
  startTime?: Date;
  initialized: boolean;
  /** Why the pod is not running yet (volumes, config), shown on every container. */
  waiting?: { reason: string; message: string };
  containers: ContainerView[];
}

function stateOf(s: ContainerState): V1ContainerStatus['state'] {
  switch (s.state) {
    case 'running': return { running: { startedAt: s.startedAt } };
    case 'waiting': return { waiting: { reason: s.reason, ...(s.message ? { message: s.message } : {}) } };
    case 'terminated': return {
      terminated: {
        exitCode: s.exitCode, reason: s.reason, finishedAt: s.finishedAt,
        ...(s.signal ? { signal: signalNumberOf(s.signal) } : {}), ...(s.startedAt ? { startedAt: s.startedAt } : {}),
      },
    };
  }
}

function signalNumberOf(name: string): number {
  return ({ SIGKILL: 9, SIGTERM: 15, SIGINT: 2, SIGHUP: 1, SIGSEGV: 11, SIGABRT: 6 } as Record<string, number>)[name] ?? 0;
}

function condition(type: string, ok: boolean, reason?: string, message?: string): V1PodCondition {
  return { type, status: ok ? 'True' : 'False', ...(ok || !reason ? {} : { reason }), ...(ok || !message ? {} : { message }) };
}

/** Status without timestamps of its own, so two views of the same state compare equal. */
export function podStatus(v: PodView): V1PodStatus {
  const containerStatuses: V1ContainerStatus[] = v.containers.map((c) => ({
    name: c.name,
    image: c.image,
    imageID: '',
    ready: c.ready,
    started: c.started,
    restartCount: c.restartCount,
    state: v.waiting ? { waiting: { reason: v.waiting.reason, message: v.waiting.message } } : stateOf(c.current),
    ...(c.lastTermination ? { lastState: stateOf(c.lastTermination) } : {}),
  }));
  const everyStarted = v.containers.length > 0 && v.containers.every((c) => c.current.state === 'running' || c.restartCount > 0 || c.lastTermination);
  const allReady = v.containers.length > 0 && v.containers.every((c) => c.ready);
  const notReady = v.containers.filter((c) => !c.ready).map((c) => c.name);
  const why = notReady.length ? `containers with unready status: [${notReady.join(' ')}]` : undefined;
  return {
    phase: !v.waiting && v.initialized && everyStarted ? 'Running' : 'Pending',
    hostIP: '127.0.0.1',
    hostIPs: [{ ip: '127.0.0.1' }],
    ...(v.podIP ? { podIP: v.podIP, podIPs: [{ ip: v.podIP }] } : {}),
    ...(v.startTime ? { startTime: v.startTime } : {}),
    conditions: [
      condition('PodScheduled', true),
      condition('Initialized', v.initialized, 'ContainersNotInitialized'),
      condition('ContainersReady', allReady, 'ContainersNotReady', why),
      condition('Ready', allReady, 'ContainersNotReady', why),
    ],
    containerStatuses,
  };
}
