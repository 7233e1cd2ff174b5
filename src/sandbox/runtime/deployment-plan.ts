/**
 * What the Deployment controller does next, decided from the Deployment and the pods it owns.
 * Pods are owned directly (no ReplicaSet objects); a pod's `pod-template-hash` label says which
 * revision it runs. RollingUpdate here is maxSurge 1, maxUnavailable 0: one new pod at a time,
 * an old one removed only once enough pods are Ready.
 */

export interface PodFacts {
  name: string;
  hash: string;
  ready: boolean;
  terminating: boolean;
  createdAt: number;
}

export interface DeploymentFacts {
  replicas: number;
  hash: string;
  strategy: 'RollingUpdate' | 'Recreate';
  generation: number;
}

export interface DeploymentStatusFields {
  observedGeneration: number;
  replicas: number;
  updatedReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  unavailableReplicas: number;
}

export interface DeploymentPlan {
  create: number;
  delete: string[];
  status: DeploymentStatusFields;
  /** Why nothing more happens now, for logs. */
  reason: string;
}

/** Pods to remove first: not ready before ready, then the newest (they have done the least work). */
function removalOrder(a: PodFacts, b: PodFacts): number {
  if (a.ready !== b.ready) return a.ready ? 1 : -1;
  return b.createdAt - a.createdAt;
}

export function planDeployment(d: DeploymentFacts, pods: PodFacts[]): DeploymentPlan {
  const live = pods.filter((p) => !p.terminating);
  const current = live.filter((p) => p.hash === d.hash);
  const old = live.filter((p) => p.hash !== d.hash);
  const ready = live.filter((p) => p.ready).length;
  const status: DeploymentStatusFields = {
    observedGeneration: d.generation,
    replicas: live.length,
    updatedReplicas: current.length,
    readyReplicas: ready,
    availableReplicas: ready,
    unavailableReplicas: Math.max(0, d.replicas - ready),
  };

  if (d.strategy === 'Recreate' && old.length > 0) {
    return { create: 0, delete: old.map((p) => p.name), status, reason: 'Recreate: removing old pods first' };
  }
  if (d.strategy === 'Recreate' && pods.some((p) => p.terminating && p.hash !== d.hash)) {
    return { create: 0, delete: [], status, reason: 'Recreate: waiting for old pods to terminate' };
  }

  if (old.length === 0) {
    if (current.length < d.replicas) return { create: d.replicas - current.length, delete: [], status, reason: 'scaling up' };
    if (current.length > d.replicas) {
      const doomed = [...current].sort(removalOrder).slice(0, current.length - d.replicas).map((p) => p.name);
      return { create: 0, delete: doomed, status, reason: 'scaling down' };
    }
    return { create: 0, delete: [], status, reason: 'up to date' };
  }

  // Rolling update: total may reach replicas + 1; Ready pods never drop below replicas.
  const maxTotal = d.replicas + 1;
  const create = Math.max(0, Math.min(d.replicas - current.length, maxTotal - live.length));
  const readyOld = old.filter((p) => p.ready);
  const unreadyOld = old.filter((p) => !p.ready);
  const readyCurrent = current.filter((p) => p.ready).length;
  // An old pod that isn't Ready serves nothing: it goes at once. A Ready one goes only when the
  // Ready pods that remain still cover the desired count.
  const removeReady = Math.min(readyOld.length, Math.max(0, readyCurrent + readyOld.length - d.replicas));
  const doomed = [...unreadyOld, ...[...readyOld].sort(removalOrder).slice(0, removeReady)];
  return {
    create,
    delete: doomed.map((p) => p.name),
    status,
    reason: create > 0 || doomed.length > 0 ? 'rolling update' : 'rolling update: waiting for new pods to become Ready',
  };
}
