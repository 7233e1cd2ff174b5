/**
 * The Deployment and StatefulSet controllers: read the cache, plan (deployment-plan.ts,
 * statefulset-plan.ts), create and delete pods, and write workload status when it changed.
 * Deployments own their pods directly (no ReplicaSet objects). Created pods are "expected" until
 * the cache shows them, so a sync never creates the same pod twice.
 */
import type {
  V1Deployment, V1OwnerReference, V1PersistentVolumeClaim, V1Pod, V1PodTemplateSpec, V1StatefulSet,
} from '@kubernetes/client-node';
import { rm } from 'node:fs/promises';
import type { Logger } from '../../log.js';
import { MERGE_PATCH, tolerate, type Cluster } from './cluster.js';
import { planDeployment, type PodFacts } from './deployment-plan.js';
import {
  LABEL_POD_INDEX, LABEL_POD_TEMPLATE_HASH, LABEL_REVISION_HASH, LABEL_STS_POD_NAME, claimName, deploymentPodName,
  statefulPodName, statefulPodOrdinal, templateHash,
} from './pod-names.js';
import { isControlledBy, isPodReady, isTerminating } from './pod-state.js';
import { claimDir } from './pod-volumes.js';
import { planStatefulSet, type StatefulPodFacts } from './statefulset-plan.js';

const EXPECTATION_TIMEOUT_MS = 10_000;
/** The sandbox's one node. */
export const NODE_NAME = 'sandbox';

function ownerRef(kind: string, obj: V1Deployment | V1StatefulSet): V1OwnerReference {
  return { apiVersion: 'apps/v1', kind, name: obj.metadata!.name!, uid: obj.metadata!.uid!, controller: true, blockOwnerDeletion: true };
}

function podFromTemplate(template: V1PodTemplateSpec, name: string, namespace: string, labels: Record<string, string>, owner: V1OwnerReference): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...structuredClone(template.metadata ?? {}),
      name, namespace,
      labels: { ...(template.metadata?.labels ?? {}), ...labels },
      ownerReferences: [owner],
    },
    // Bound to the one node at creation: the sandbox has no scheduler, and a bound pod is deleted gracefully.
    spec: { ...structuredClone(template.spec!), nodeName: NODE_NAME },
  };
}

/** Only what a change of defines a new revision (status and generated fields left out). */
function revisionOf(template: V1PodTemplateSpec | undefined): string {
  return templateHash({ metadata: { labels: template?.metadata?.labels, annotations: template?.metadata?.annotations }, spec: template?.spec });
}

function createdAt(pod: V1Pod): number {
  const t = pod.metadata?.creationTimestamp;
  return t ? new Date(t).getTime() : 0;
}

export class WorkloadControllers {
  private readonly expected = new Map<string, { create: Set<string>; remove: Set<string>; until: number }>();
  private readonly lastStatus = new Map<string, string>();
  private readonly knownClaims = new Map<string, { namespace: string; name: string }>();

  constructor(private readonly cluster: Cluster, private readonly log: Logger, private readonly stateDir: string) {}

  async sync(): Promise<void> {
    const pods = this.cluster.pods();
    const claims = this.cluster.claims();
    await this.removeDeletedClaimData(claims);
    await Promise.all([
      ...this.cluster.deployments().map((d) => this.syncDeployment(d, pods).catch((err) => this.failed('Deployment', d, err))),
      ...this.cluster.statefulSets().map((s) => this.syncStatefulSet(s, pods, claims).catch((err) => this.failed('StatefulSet', s, err))),
    ]);
  }

  /** A claim's data dir lives as long as the claim object: `kubectl delete pvc` frees it, as a Delete reclaim policy would. */
  private async removeDeletedClaimData(claims: V1PersistentVolumeClaim[]): Promise<void> {
    const live = new Set<string>();
    for (const c of claims) {
      const key = c.metadata?.uid ?? '';
      live.add(key);
      this.knownClaims.set(key, { namespace: c.metadata?.namespace ?? 'default', name: c.metadata?.name ?? '' });
    }
    for (const [uid, c] of this.knownClaims) {
      if (live.has(uid)) continue;
      this.knownClaims.delete(uid);
      if (claims.some((x) => x.metadata?.namespace === c.namespace && x.metadata?.name === c.name)) continue;
      this.log.info('claim deleted, removing its data', { namespace: c.namespace, claim: c.name });
      await rm(claimDir(this.stateDir, c.namespace, c.name), { recursive: true, force: true });
    }
  }

  private failed(kind: string, obj: V1Deployment | V1StatefulSet, err: unknown): void {
    this.log.warn(`${kind} sync failed`, { namespace: obj.metadata?.namespace, name: obj.metadata?.name, error: (err as Error).message ?? String(err) });
  }

  /** False while pods this controller created or deleted have not shown up in (or left) the cache. */
  private settled(key: string, pods: V1Pod[]): boolean {
    const e = this.expected.get(key);
    if (!e) return true;
    const names = new Set(pods.map((p) => p.metadata?.name));
    for (const n of [...e.create]) if (names.has(n)) e.create.delete(n);
    for (const n of [...e.remove]) if (!pods.some((p) => p.metadata?.name === n && !isTerminating(p))) e.remove.delete(n);
    if ((e.create.size === 0 && e.remove.size === 0) || Date.now() > e.until) {
      this.expected.delete(key);
      return true;
    }
    return false;
  }

  private expect(key: string, create: string[], remove: string[]): void {
    if (create.length === 0 && remove.length === 0) return;
    this.expected.set(key, { create: new Set(create), remove: new Set(remove), until: Date.now() + EXPECTATION_TIMEOUT_MS });
  }

  private async writeStatus(key: string, status: object, patch: () => Promise<unknown>): Promise<void> {
    const json = JSON.stringify(status);
    if (this.lastStatus.get(key) === json) return;
    await patch();
    this.lastStatus.set(key, json);
  }

  private async syncDeployment(d: V1Deployment, allPods: V1Pod[]): Promise<void> {
    const ns = d.metadata!.namespace!;
    const name = d.metadata!.name!;
    const key = `Deployment/${ns}/${name}`;
    if (d.metadata?.deletionTimestamp) return;
    const owned = allPods.filter((p) => p.metadata?.namespace === ns && isControlledBy(p, d));
    if (!this.settled(key, owned)) return;
    const hash = revisionOf(d.spec?.template);
    const facts: PodFacts[] = owned.map((p) => ({
      name: p.metadata!.name!, hash: p.metadata?.labels?.[LABEL_POD_TEMPLATE_HASH] ?? '', ready: isPodReady(p), terminating: isTerminating(p), createdAt: createdAt(p),
    }));
    const plan = planDeployment({
      replicas: d.spec?.replicas ?? 1, hash, generation: d.metadata?.generation ?? 0,
      strategy: d.spec?.strategy?.type === 'Recreate' ? 'Recreate' : 'RollingUpdate',
    }, facts);
    const created = Array.from({ length: plan.create }, () => deploymentPodName(name, hash));
    this.expect(key, created, plan.delete);
    if (created.length || plan.delete.length) this.log.info(`deployment: ${plan.reason}`, { namespace: ns, name, create: created, delete: plan.delete });
    const owner = ownerRef('Deployment', d);
    await Promise.all([
      ...created.map((podName) => this.cluster.core.createNamespacedPod({
        namespace: ns, body: podFromTemplate(d.spec!.template, podName, ns, { [LABEL_POD_TEMPLATE_HASH]: hash }, owner),
      })),
      ...plan.delete.map((podName) => tolerate(this.cluster.core.deleteNamespacedPod({ name: podName, namespace: ns }), 404)),
    ]);
    const replicas = d.spec?.replicas ?? 1;
    const complete = plan.status.updatedReplicas === replicas && plan.status.replicas === replicas && plan.status.availableReplicas === replicas;
    const status = {
      ...plan.status,
      conditions: [
        { type: 'Available', status: plan.status.availableReplicas >= replicas ? 'True' : 'False', reason: plan.status.availableReplicas >= replicas ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable', message: `${plan.status.availableReplicas} of ${replicas} pods available` },
        { type: 'Progressing', status: 'True', reason: complete ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated', message: complete ? 'rollout complete' : plan.reason },
      ],
    };
    await this.writeStatus(key, status, () => this.cluster.apps.patchNamespacedDeploymentStatus({ name, namespace: ns, body: { status } }, MERGE_PATCH));
  }

  private async ensureClaims(s: V1StatefulSet, ordinal: number, claims: V1PersistentVolumeClaim[]): Promise<void> {
    const ns = s.metadata!.namespace!;
    for (const t of s.spec?.volumeClaimTemplates ?? []) {
      const name = claimName(t.metadata!.name!, s.metadata!.name!, ordinal);
      if (claims.some((c) => c.metadata?.namespace === ns && c.metadata?.name === name)) continue;
      const labels = { ...(s.spec?.selector?.matchLabels ?? {}), ...(t.metadata?.labels ?? {}) };
      // Claims outlive their StatefulSet, as in Kubernetes, unless the retention policy says Delete.
      const owned = s.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted === 'Delete';
      await tolerate(this.cluster.core.createNamespacedPersistentVolumeClaim({
        namespace: ns,
        body: {
          apiVersion: 'v1', kind: 'PersistentVolumeClaim',
          metadata: { name, namespace: ns, labels, ...(owned ? { ownerReferences: [{ ...ownerRef('StatefulSet', s), controller: false }] } : {}) },
          spec: t.spec,
        },
      }), 409);
      await tolerate(this.cluster.core.patchNamespacedPersistentVolumeClaimStatus({
        name, namespace: ns, body: { status: { phase: 'Bound', accessModes: t.spec?.accessModes, capacity: t.spec?.resources?.requests } },
      }, MERGE_PATCH), 404);
    }
  }

  private statefulPod(s: V1StatefulSet, ordinal: number, revision: string): V1Pod {
    const sts = s.metadata!.name!;
    const ns = s.metadata!.namespace!;
    const podName = statefulPodName(sts, ordinal);
    const pod = podFromTemplate(s.spec!.template, podName, ns, {
      [LABEL_REVISION_HASH]: revision, [LABEL_STS_POD_NAME]: podName, [LABEL_POD_INDEX]: String(ordinal),
    }, ownerRef('StatefulSet', s));
    pod.spec!.hostname = podName;
    if (s.spec?.serviceName) pod.spec!.subdomain = s.spec.serviceName;
    const claimVolumes = (s.spec?.volumeClaimTemplates ?? []).map((t) => ({
      name: t.metadata!.name!, persistentVolumeClaim: { claimName: claimName(t.metadata!.name!, sts, ordinal) },
    }));
    pod.spec!.volumes = [...(pod.spec!.volumes ?? []).filter((v) => !claimVolumes.some((c) => c.name === v.name)), ...claimVolumes];
    return pod;
  }

  private async syncStatefulSet(s: V1StatefulSet, allPods: V1Pod[], claims: V1PersistentVolumeClaim[]): Promise<void> {
    const ns = s.metadata!.namespace!;
    const name = s.metadata!.name!;
    const key = `StatefulSet/${ns}/${name}`;
    if (s.metadata?.deletionTimestamp) return;
    const owned = allPods.filter((p) => p.metadata?.namespace === ns && isControlledBy(p, s));
    if (!this.settled(key, owned)) return;
    const revision = revisionOf(s.spec?.template);
    const facts: StatefulPodFacts[] = owned.flatMap((p) => {
      const ordinal = statefulPodOrdinal(name, p.metadata!.name!);
      return ordinal === undefined ? [] : [{ ordinal, revision: p.metadata?.labels?.[LABEL_REVISION_HASH] ?? '', ready: isPodReady(p), terminating: isTerminating(p) }];
    });
    const plan = planStatefulSet({
      replicas: s.spec?.replicas ?? 1, revision, generation: s.metadata?.generation ?? 0,
      podManagementPolicy: s.spec?.podManagementPolicy === 'Parallel' ? 'Parallel' : 'OrderedReady',
      updateStrategy: s.spec?.updateStrategy?.type === 'OnDelete' ? 'OnDelete' : 'RollingUpdate',
      currentRevision: s.status?.currentRevision,
    }, facts);
    const create = plan.create.map((o) => statefulPodName(name, o));
    const remove = plan.delete.map((o) => statefulPodName(name, o));
    this.expect(key, create, remove);
    if (create.length || remove.length) this.log.info(`statefulset: ${plan.reason}`, { namespace: ns, name, create, delete: remove });
    await Promise.all([
      ...plan.create.map(async (o) => {
        await this.ensureClaims(s, o, claims);
        await tolerate(this.cluster.core.createNamespacedPod({ namespace: ns, body: this.statefulPod(s, o, revision) }), 409);
      }),
      ...remove.map((podName) => tolerate(this.cluster.core.deleteNamespacedPod({ name: podName, namespace: ns }), 404)),
    ]);
    const status = plan.status;
    await this.writeStatus(key, status, () => this.cluster.apps.patchNamespacedStatefulSetStatus({ name, namespace: ns, body: { status } }, MERGE_PATCH));
  }
}
