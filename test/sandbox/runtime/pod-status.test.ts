import { describe, expect, it } from '@jest/globals';
import { podStatus, type ContainerView } from '../../../src/sandbox/runtime/pod-status.js';

const started = new Date('2026-01-01T00:00:00Z');
const running = (ready: boolean, restartCount = 0): ContainerView => ({
  name: 'c', image: 'x', current: { state: 'running', startedAt: started, pid: 1 }, restartCount, ready, started: true,
});

describe('podStatus', () => {
  it('is Pending with the reason on every container while volumes or config are missing', () => {
    const s = podStatus({ podIP: '127.10.0.1', initialized: false, waiting: { reason: 'ContainerCreating', message: 'ConfigMap x not found' }, containers: [running(false)] });
    expect(s.phase).toBe('Pending');
    expect(s.containerStatuses?.[0].state).toEqual({ waiting: { reason: 'ContainerCreating', message: 'ConfigMap x not found' } });
    expect(s.conditions?.find((c) => c.type === 'Ready')?.status).toBe('False');
  });

  it('is Running and Ready when every container runs and passes readiness', () => {
    const s = podStatus({ podIP: '127.10.0.1', initialized: true, containers: [running(true)] });
    expect(s.phase).toBe('Running');
    expect(s.podIP).toBe('127.10.0.1');
    expect(s.conditions?.map((c) => [c.type, c.status])).toEqual([['PodScheduled', 'True'], ['Initialized', 'True'], ['ContainersReady', 'True'], ['Ready', 'True']]);
  });

  it('names the unready containers, and keeps the last termination after a restart', () => {
    const c: ContainerView = {
      ...running(false, 2),
      lastTermination: { state: 'terminated', exitCode: 137, signal: 'SIGKILL', reason: 'Error', finishedAt: started },
    };
    const s = podStatus({ podIP: '127.10.0.1', initialized: true, containers: [c] });
    expect(s.conditions?.find((x) => x.type === 'Ready')).toMatchObject({ status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [c]' });
    expect(s.containerStatuses?.[0]).toMatchObject({ restartCount: 2, lastState: { terminated: { exitCode: 137, signal: 9, reason: 'Error' } } });
  });
});
