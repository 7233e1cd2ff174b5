import { describe, expect, it } from '@jest/globals';
import { planStatefulSet, type StatefulPodFacts, type StatefulSetFacts } from '../../../src/sandbox/runtime/statefulset-plan.js';

const s = (replicas: number, extra: Partial<StatefulSetFacts> = {}): StatefulSetFacts => ({
  replicas, revision: 'r2', podManagementPolicy: 'OrderedReady', updateStrategy: 'RollingUpdate', generation: 7, ...extra,
});
const pod = (ordinal: number, ready = true, revision = 'r2', terminating = false): StatefulPodFacts => ({ ordinal, ready, revision, terminating });

describe('planStatefulSet', () => {
  const cases: Array<{ name: string; s: StatefulSetFacts; pods: StatefulPodFacts[]; create: number[]; delete: number[] }> = [
    { name: 'creates ordinal 0 first', s: s(3), pods: [], create: [0], delete: [] },
    { name: 'creates the next ordinal once the lower ones are Ready', s: s(3), pods: [pod(0)], create: [1], delete: [] },
    { name: 'waits for a lower ordinal that is not Ready', s: s(3), pods: [pod(0, false)], create: [], delete: [] },
    { name: 'recreates a missing lower ordinal', s: s(3), pods: [pod(1), pod(2)], create: [0], delete: [] },
    { name: 'Parallel creates every missing ordinal at once', s: s(3, { podManagementPolicy: 'Parallel' }), pods: [pod(1, false)], create: [0, 2], delete: [] },
    { name: 'scales down from the highest ordinal, one at a time', s: s(1), pods: [pod(0), pod(1), pod(2)], create: [], delete: [2] },
    { name: 'does not scale down while a pod is not Ready', s: s(1), pods: [pod(0, false), pod(1), pod(2)], create: [], delete: [] },
    { name: 'rolling update replaces the highest outdated ordinal', s: s(3), pods: [pod(0, true, 'r1'), pod(1, true, 'r1'), pod(2)], create: [], delete: [1] },
    { name: 'rolling update waits for every pod to be Ready', s: s(3), pods: [pod(0, true, 'r1'), pod(1, false), pod(2)], create: [], delete: [] },
    { name: 'rolling update waits while a pod terminates', s: s(2), pods: [pod(0, true, 'r1'), pod(1, true, 'r2', true)], create: [], delete: [] },
    { name: 'OnDelete leaves outdated pods alone', s: s(2, { updateStrategy: 'OnDelete' }), pods: [pod(0, true, 'r1'), pod(1, true, 'r1')], create: [], delete: [] },
    { name: 'OnDelete recreates a deleted pod (at the update revision)', s: s(2, { updateStrategy: 'OnDelete', podManagementPolicy: 'Parallel' }),
      pods: [pod(0, true, 'r1')], create: [1], delete: [] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const plan = planStatefulSet(c.s, c.pods);
      expect(plan.create).toEqual(c.create);
      expect(plan.delete).toEqual(c.delete);
    });
  }

  it('reports revisions and counts', () => {
    expect(planStatefulSet(s(2), [pod(0), pod(1, false)]).status).toEqual({
      observedGeneration: 7, replicas: 2, readyReplicas: 1, availableReplicas: 1, currentReplicas: 2, updatedReplicas: 2, updateRevision: 'r2', currentRevision: 'r2',
    });
    expect(planStatefulSet(s(2), [pod(0, true, 'r1'), pod(1)]).status.currentRevision).toBe('');
  });

  it('OnDelete keeps the revision it first reported as current, even once every pod is updated (as kube-controller-manager does)', () => {
    const onDelete = s(2, { updateStrategy: 'OnDelete', currentRevision: 'r1' });
    expect(planStatefulSet(onDelete, [pod(0, true, 'r1'), pod(1)]).status).toMatchObject({ currentRevision: 'r1', currentReplicas: 1, updatedReplicas: 1, updateRevision: 'r2' });
    expect(planStatefulSet(onDelete, [pod(0), pod(1)]).status).toMatchObject({ currentRevision: 'r1', currentReplicas: 0, updatedReplicas: 2 });
    expect(planStatefulSet(s(2, { updateStrategy: 'OnDelete' }), []).status.currentRevision).toBe('r2');
  });
});
