import { describe, expect, it } from '@jest/globals';
import { planDeployment, type DeploymentFacts, type PodFacts } from '../../../src/sandbox/runtime/deployment-plan.js';

const d = (replicas: number, hash = 'new', strategy: DeploymentFacts['strategy'] = 'RollingUpdate'): DeploymentFacts => ({ replicas, hash, strategy, generation: 4 });
let t = 0;
const pod = (name: string, hash: string, ready: boolean, terminating = false): PodFacts => ({ name, hash, ready, terminating, createdAt: t++ });

describe('planDeployment', () => {
  const cases: Array<{ name: string; d: DeploymentFacts; pods: PodFacts[]; create: number; delete: string[] }> = [
    { name: 'creates every missing pod at once', d: d(3), pods: [], create: 3, delete: [] },
    { name: 'does nothing when up to date', d: d(2), pods: [pod('a', 'new', true), pod('b', 'new', true)], create: 0, delete: [] },
    { name: 'scales down not-ready pods first, then the newest', d: d(1), pods: [pod('a', 'new', true), pod('b', 'new', false), pod('c', 'new', true)], create: 0, delete: ['b', 'c'] },
    { name: 'rolling update surges one new pod and keeps the old ones', d: d(2), pods: [pod('a', 'old', true), pod('b', 'old', true)], create: 1, delete: [] },
    { name: 'removes one old pod once a new one is Ready', d: d(2), pods: [pod('a', 'old', true), pod('b', 'old', true), pod('n1', 'new', true)], create: 0, delete: ['b'] },
    { name: 'waits while the new pod is not Ready', d: d(2), pods: [pod('a', 'old', true), pod('b', 'old', true), pod('n1', 'new', false)], create: 0, delete: [] },
    { name: 'an old pod that is not Ready goes at once', d: d(2), pods: [pod('a', 'old', false), pod('b', 'old', true)], create: 1, delete: ['a'] },
    { name: 'terminating pods do not count', d: d(2), pods: [pod('a', 'new', true, true), pod('b', 'new', true)], create: 1, delete: [] },
    { name: 'Recreate removes old pods before creating', d: d(2, 'new', 'Recreate'), pods: [pod('a', 'old', true)], create: 0, delete: ['a'] },
    { name: 'Recreate waits for old pods to terminate', d: d(2, 'new', 'Recreate'), pods: [pod('a', 'old', true, true)], create: 0, delete: [] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const plan = planDeployment(c.d, c.pods);
      expect(plan.create).toBe(c.create);
      expect(plan.delete).toEqual(c.delete);
    });
  }

  it('reports status from live pods', () => {
    const plan = planDeployment(d(3), [pod('a', 'old', true), pod('n', 'new', false), pod('x', 'new', true, true)]);
    expect(plan.status).toEqual({ observedGeneration: 4, replicas: 2, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1, unavailableReplicas: 2 });
  });

  it('converges a rolling update step by step without ever dropping below the desired Ready count', () => {
    let pods: PodFacts[] = [pod('o1', 'old', true), pod('o2', 'old', true), pod('o3', 'old', true)];
    for (let step = 0; step < 20; step++) {
      const plan = planDeployment(d(3), pods);
      if (plan.create === 0 && plan.delete.length === 0 && pods.every((p) => p.hash === 'new' && p.ready)) break;
      pods = pods.filter((p) => !plan.delete.includes(p.name)).map((p) => ({ ...p, ready: true }));
      expect(pods.filter((p) => p.ready).length).toBeGreaterThanOrEqual(3);
      for (let i = 0; i < plan.create; i++) pods.push(pod(`n${step}-${i}`, 'new', false));
      expect(pods.length).toBeLessThanOrEqual(4);
    }
    expect(pods.map((p) => p.hash)).toEqual(['new', 'new', 'new']);
  });
});
