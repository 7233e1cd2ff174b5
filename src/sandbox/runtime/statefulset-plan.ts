/**
 * What the StatefulSet controller does next. Pods are `<sts>-<ordinal>`; with OrderedReady a pod
 * is created only when every lower ordinal is Ready, and removed (scale down, or rolling update
 * to a new revision) from the highest ordinal down, one at a time, only while all others are Ready.
 */

export interface StatefulPodFacts {
  ordinal: number;
  revision: string;
  ready: boolean;
  terminating: boolean;
}

export interface StatefulSetFacts {
  replicas: number;
  revision: string;
  podManagementPolicy: 'OrderedReady' | 'Parallel';
  updateStrategy: 'RollingUpdate' | 'OnDelete';
  generation: number;
  /** status.currentRevision as last written ('' before the first status). */
  currentRevision?: string;
}

export interface StatefulSetStatusFields {
  observedGeneration: number;
  replicas: number;
  readyReplicas: number;
  availableReplicas: number;
  currentReplicas: number;
  updatedReplicas: number;
  updateRevision: string;
  currentRevision: string;
}

export interface StatefulSetPlan {
  create: number[];
  delete: number[];
  status: StatefulSetStatusFields;
  reason: string;
}

export function planStatefulSet(s: StatefulSetFacts, pods: StatefulPodFacts[]): StatefulSetPlan {
  const byOrdinal = new Map(pods.map((p) => [p.ordinal, p]));
  const live = pods.filter((p) => !p.terminating);
  const ready = live.filter((p) => p.ready).length;
  const updated = live.filter((p) => p.revision === s.revision).length;
  // Kubernetes reports currentRevision once every pod runs the update revision; under OnDelete it
  // never advances it (only RollingUpdate completes a rollout): it stays the revision first seen.
  const onDeleteCurrent = s.currentRevision || s.revision;
  const status: StatefulSetStatusFields = {
    observedGeneration: s.generation,
    replicas: live.length,
    readyReplicas: ready,
    availableReplicas: ready,
    currentReplicas: s.updateStrategy === 'OnDelete' ? live.filter((p) => p.revision === onDeleteCurrent).length : updated,
    updatedReplicas: updated,
    updateRevision: s.revision,
    currentRevision: s.updateStrategy === 'OnDelete' ? onDeleteCurrent
      : updated === live.length && live.length === s.replicas ? s.revision : '',
  };
  const parallel = s.podManagementPolicy === 'Parallel';
  const anyTerminating = pods.some((p) => p.terminating);

  const missing: number[] = [];
  for (let i = 0; i < s.replicas; i++) if (!byOrdinal.has(i)) missing.push(i);
  const extra = live.filter((p) => p.ordinal >= s.replicas).map((p) => p.ordinal).sort((a, b) => b - a);

  if (parallel) {
    if (missing.length > 0 || extra.length > 0) return { create: missing, delete: extra, status, reason: 'scaling (Parallel)' };
  } else {
    if (missing.length > 0) {
      const first = missing[0];
      const lowerReady = pods.filter((p) => p.ordinal < first).every((p) => p.ready && !p.terminating);
      if (lowerReady && !anyTerminating) return { create: [first], delete: [], status, reason: `creating ordinal ${first}` };
      return { create: [], delete: [], status, reason: `waiting for pods below ordinal ${first} to be Ready` };
    }
    if (extra.length > 0) {
      const allOthersReady = live.filter((p) => p.ordinal < s.replicas).every((p) => p.ready);
      if (allOthersReady && !anyTerminating) return { create: [], delete: [extra[0]], status, reason: `scaling down ordinal ${extra[0]}` };
      return { create: [], delete: [], status, reason: 'scaling down: waiting for pods to be Ready' };
    }
  }

  if (s.updateStrategy === 'OnDelete') return { create: [], delete: [], status, reason: 'OnDelete: pods update when deleted' };
  const outdated = live.filter((p) => p.revision !== s.revision && p.ordinal < s.replicas).map((p) => p.ordinal).sort((a, b) => b - a);
  if (outdated.length === 0) return { create: [], delete: [], status, reason: 'up to date' };
  if (anyTerminating || live.some((p) => !p.ready)) {
    return { create: [], delete: [], status, reason: 'rolling update: waiting for every pod to be Ready' };
  }
  return { create: [], delete: [outdated[0]], status, reason: `rolling update: replacing ordinal ${outdated[0]}` };
}
