/** How far a Deployment or StatefulSet is from what its spec asks: kstatus-style, as a reason string. */

export interface LiveWorkload {
  kind: string;
  metadata: { name?: string; generation?: number };
  spec?: { replicas?: number; updateStrategy?: { type?: string } };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    currentRevision?: string;
    updateRevision?: string;
    conditions?: { type: string; status: string; reason?: string }[];
  };
}

export type WorkloadState = 'missing' | 'rolling' | 'unavailable' | 'current';

export interface WorkloadAssessment {
  state: WorkloadState;
  replicas: number;
  readyReplicas: number;
  /** Why it is not current, for condition messages. */
  reason: string;
}

export function assessWorkload(w: LiveWorkload | undefined, wantReplicas: number): WorkloadAssessment {
  if (!w) return { state: 'missing', replicas: wantReplicas, readyReplicas: 0, reason: 'not created yet' };
  const replicas = w.spec?.replicas ?? 1;
  const s = w.status ?? {};
  const ready = s.readyReplicas ?? 0;
  const base = { replicas, readyReplicas: ready };
  if (s.observedGeneration === undefined || s.observedGeneration < (w.metadata.generation ?? 0)) {
    return { ...base, state: 'rolling', reason: 'spec change not yet observed by its controller' };
  }
  if ((s.updatedReplicas ?? 0) < replicas) {
    return { ...base, state: 'rolling', reason: `${s.updatedReplicas ?? 0}/${replicas} pods updated` };
  }
  if ((s.replicas ?? 0) > replicas) {
    return { ...base, state: 'rolling', reason: `${(s.replicas ?? 0) - replicas} old pods terminating` };
  }
  // Under OnDelete the StatefulSet controller never advances currentRevision (only RollingUpdate
  // completes a rollout); updatedReplicas above already says whether every pod is updated.
  if (w.kind === 'StatefulSet' && w.spec?.updateStrategy?.type !== 'OnDelete'
    && s.updateRevision && s.currentRevision && s.updateRevision !== s.currentRevision) {
    return { ...base, state: 'rolling', reason: 'rolling update in progress' };
  }
  const progressing = s.conditions?.find((c) => c.type === 'Progressing');
  if (progressing && progressing.status === 'True' && progressing.reason && progressing.reason !== 'NewReplicaSetAvailable') {
    return { ...base, state: 'rolling', reason: `rollout ${progressing.reason}` };
  }
  if (ready < replicas) return { ...base, state: 'unavailable', reason: `${ready}/${replicas} pods ready` };
  return { ...base, state: 'current', reason: `${ready}/${replicas} pods ready` };
}
