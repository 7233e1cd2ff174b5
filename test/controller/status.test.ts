import { describe, expect, it } from '@jest/globals';
import { computeStatus, mergePatch, statusEqual, type StatusObservation } from '../../src/controller/status.js';
import type { LiveWorkload } from '../../src/controller/workloads.js';
import { assessWorkload } from '../../src/controller/workloads.js';
import type { Condition } from '../../src/api/types.js';

const T1 = '2026-01-01T00:00:00Z';
const T2 = '2026-01-01T00:05:00Z';

function deploy(replicas: number, ready: number, opts: { generation?: number; observed?: number; updated?: number } = {}): LiveWorkload {
  return {
    kind: 'Deployment', metadata: { name: 'd', generation: opts.generation ?? 1 }, spec: { replicas },
    status: { observedGeneration: opts.observed ?? opts.generation ?? 1, replicas, updatedReplicas: opts.updated ?? replicas, readyReplicas: ready, availableReplicas: ready },
  };
}
const sts = (replicas: number, ready: number): LiveWorkload => ({ ...deploy(replicas, ready), kind: 'StatefulSet' });

function obs(over: Partial<StatusObservation> = {}): StatusObservation {
  return {
    generation: 4, previous: undefined, now: T1,
    tiers: [{ name: 'web', replicas: 3, deployment: deploy(3, 3) }],
    haproxy: { replicas: 2, deployment: deploy(2, 2) },
    database: { replicas: 3, statefulSet: sts(3, 3) },
    ...over,
  };
}
const cond = (s: { conditions?: Condition[] }, type: string) => s.conditions!.find((c) => c.type === type)!;
const summary = (s: { conditions?: Condition[] }) => ['Ready', 'Progressing', 'Degraded'].map((t) => `${cond(s, t).status}/${cond(s, t).reason}`).join(' ');

describe('computeStatus conditions', () => {
  it.each([
    ['everything ready', obs(), 'True/Available False/UpToDate False/AsExpected'],
    ['just created: nothing exists yet', obs({ tiers: [{ name: 'web', replicas: 3 }], haproxy: { replicas: 2 }, database: { replicas: 3 } }),
      'False/NoAppPodReady True/RollingOut False/AsExpected'],
    ['every app pod down', obs({ tiers: [{ name: 'web', replicas: 3, deployment: deploy(3, 0) }, { name: 'standby', replicas: 1, deployment: deploy(1, 0) }] }),
      'False/NoAppPodReady False/UpToDate True/ReplicasUnavailable'],
    ['only the backup tier has a ready pod', obs({ tiers: [{ name: 'web', replicas: 3, deployment: deploy(3, 0) }, { name: 'standby', replicas: 1, deployment: deploy(1, 1) }] }),
      'False/ReplicasUnavailable False/UpToDate True/ReplicasUnavailable'],
    ['spec change not yet seen by the Deployment controller', obs({ tiers: [{ name: 'web', replicas: 3, deployment: deploy(3, 3, { generation: 2, observed: 1 }) }] }),
      'False/RollingOut True/RollingOut False/AsExpected'],
    ['rolling update half way', obs({ tiers: [{ name: 'web', replicas: 3, deployment: deploy(3, 3, { updated: 1 }) }] }),
      'False/RollingOut True/RollingOut False/AsExpected'],
    ['a pod died after rollout', obs({ tiers: [{ name: 'web', replicas: 3, deployment: deploy(3, 2) }] }),
      'False/ReplicasUnavailable False/UpToDate True/ReplicasUnavailable'],
    ['database replica down', obs({ database: { replicas: 3, statefulSet: sts(3, 2) } }),
      'False/ReplicasUnavailable False/UpToDate True/ReplicasUnavailable'],
    ['apply failed', obs({ applyError: 'apply Deployment shop-web: 500' }), 'False/ApplyFailed False/UpToDate True/ApplyFailed'],
    ['the Gateway API is not installed (the rest runs)', obs({ missingApis: [{ reason: 'GatewayAPINotInstalled', message: 'spec.loadBalancer.gateway: ...' }] }),
      'False/GatewayAPINotInstalled False/UpToDate False/AsExpected'],
    ['cert-manager missing comes before the TLS Secret it would write', obs({ missingApis: [{ reason: 'CertManagerNotInstalled', message: 'spec.loadBalancer.tls.issuerRef: ...' }],
      blocked: { reason: 'InvalidTLSSecret', message: 'Secret shop-tls not found' } }), 'False/CertManagerNotInstalled False/UpToDate False/AsExpected'],
    ['invalid spec', obs({ invalidSpec: 'spec.apps[0].weight: must be <= 256' }), 'False/InvalidSpec False/InvalidSpec False/AsExpected'],
    ['the database manager holds Ready back', obs({ databaseManaged: true, previous: { database: { bootstrapped: true }, conditions: [
      { type: 'DatabaseReady', status: 'False', reason: 'PrimaryUnavailable', message: 'no writable primary', lastTransitionTime: T1, observedGeneration: 4 }] } }),
    'False/DatabasePrimaryUnavailable False/UpToDate False/AsExpected'],
    ['the database manager reports degraded', obs({ databaseManaged: true, previous: { database: { bootstrapped: true }, conditions: [
      { type: 'DatabaseReady', status: 'True', reason: 'PrimaryWritable', message: '', lastTransitionTime: T1, observedGeneration: 4 },
      { type: 'DatabaseDegraded', status: 'True', reason: 'InstanceNotReady', message: 'lag 30s', lastTransitionTime: T1, observedGeneration: 4 }] } }),
    'True/Available False/UpToDate True/InstanceNotReady'],
    ['a database manager that has not reported yet holds Ready back', obs({ databaseManaged: true }),
      'False/DatabaseNotProbedYet False/UpToDate False/AsExpected'],
    ['without a database manager its conditions are not waited for', obs({ previous: { conditions: [
      { type: 'DatabaseReady', status: 'False', reason: 'PrimaryUnavailable', message: '', lastTransitionTime: T1, observedGeneration: 4 }] } }),
    'True/Available False/UpToDate False/AsExpected'],
  ])('%s', (_name, o, want) => {
    const s = computeStatus(o);
    expect(summary(s)).toBe(want);
    expect(s.observedGeneration).toBe(4);
    for (const c of s.conditions!) expect(c.observedGeneration).toBe(4);
  });

  it('the invalid-spec message names the field', () => {
    const s = computeStatus(obs({ invalidSpec: 'spec.apps[0].weight: must be <= 256' }));
    expect(cond(s, 'Ready').message).toContain('spec.apps[0].weight');
  });

  it('the no-app-pod message names every tier and what it means', () => {
    const s = computeStatus(obs({ tiers: [{ name: 'web', replicas: 3, deployment: deploy(3, 0) }, { name: 'standby', replicas: 1, deployment: deploy(1, 0) }] }));
    expect(cond(s, 'Ready').message).toBe('no pod of app tiers web 0/3, standby 0/1 is ready: the load balancer has no server to send a request to');
  });

  it('keeps lastTransitionTime while a status holds, moves it on a transition', () => {
    const first = computeStatus(obs({ now: T1, tiers: [{ name: 'web', replicas: 3, deployment: deploy(3, 1, { updated: 1 }) }] }));
    const same = computeStatus(obs({ now: T2, previous: first, tiers: [{ name: 'web', replicas: 3, deployment: deploy(3, 2, { updated: 2 }) }] }));
    expect(cond(same, 'Ready').lastTransitionTime).toBe(T1);
    const ready = computeStatus(obs({ now: T2, previous: same }));
    expect(cond(ready, 'Ready').lastTransitionTime).toBe(T2);
    expect(cond(ready, 'Degraded').lastTransitionTime).toBe(T1);
  });

  it('steady state computes an equal status (so nothing is written)', () => {
    const first = computeStatus(obs({ now: T1 }));
    expect(statusEqual(first, computeStatus(obs({ now: T2, previous: first })))).toBe(true);
  });
});

describe('computeStatus fields', () => {
  it('reports per-tier counts, the summary column, HAProxy readiness and the LB address', () => {
    const s = computeStatus(obs({
      tiers: [{ name: 'web', replicas: 3, deployment: deploy(3, 2) }, { name: 'standby', replicas: 1, deployment: deploy(1, 1) }],
      service: { status: { loadBalancer: { ingress: [{ ip: '203.0.113.7' }] } } },
    }));
    expect(s.apps).toEqual([{ name: 'web', replicas: 3, readyReplicas: 2 }, { name: 'standby', replicas: 1, readyReplicas: 1 }]);
    expect(s.appsSummary).toBe('web 2/3, standby 1/1');
    expect(s.loadBalancer).toEqual({ readyReplicas: 2, address: '203.0.113.7' });
  });

  it('leaves status.database as the database manager wrote it', () => {
    const previous = { database: { primary: 'shop-mysql-1', bootstrapped: true } };
    expect(computeStatus(obs({ previous })).database).toEqual({ primary: 'shop-mysql-1', bootstrapped: true });
    expect(computeStatus(obs({ previous, databaseManaged: true })).database).toEqual({ primary: 'shop-mysql-1', bootstrapped: true });
  });

  it('keeps other writers\' conditions', () => {
    const previous = { conditions: [{ type: 'DatabaseReady', status: 'True' as const, reason: 'R', message: '', lastTransitionTime: T1, observedGeneration: 4 }] };
    expect(computeStatus(obs({ previous })).conditions!.map((c) => c.type)).toEqual(['Ready', 'Progressing', 'Degraded', 'DatabaseReady']);
  });
});

describe('assessWorkload', () => {
  it.each([
    [undefined, 'missing'],
    [deploy(2, 0, { updated: 2 }), 'unavailable'],
    [{ ...deploy(2, 2), status: { ...deploy(2, 2).status, conditions: [{ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated' }] } }, 'rolling'],
    [{ ...sts(3, 3), status: { ...sts(3, 3).status, currentRevision: 'a', updateRevision: 'b' } }, 'rolling'],
    // OnDelete: Kubernetes never advances currentRevision; every pod updated and ready is current.
    [{ ...sts(3, 3), spec: { replicas: 3, updateStrategy: { type: 'OnDelete' } }, status: { ...sts(3, 3).status, currentRevision: 'a', updateRevision: 'b' } }, 'current'],
    [{ ...sts(3, 3), spec: { replicas: 3, updateStrategy: { type: 'OnDelete' } }, status: { ...sts(3, 3).status, updatedReplicas: 2, currentRevision: 'a', updateRevision: 'b' } }, 'rolling'],
    [{ ...deploy(2, 2), status: { ...deploy(2, 2).status, replicas: 3 } }, 'rolling'],
    [deploy(2, 2), 'current'],
  ])('%j is %s', (w, want) => {
    expect(assessWorkload(w as LiveWorkload | undefined, 2).state).toBe(want);
  });
});

describe('mergePatch', () => {
  it('nulls removed keys and sends only changes', () => {
    expect(mergePatch({ a: 1, b: { c: 1, d: 2 }, e: [1] }, { a: 1, b: { c: 2 }, e: [1, 2] })).toEqual({ b: { c: 2, d: null }, e: [1, 2] });
  });
});
