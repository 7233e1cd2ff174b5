/**
 * kube-apiserver's defaults for the workload kinds (Deployment, StatefulSet, ReplicaSet, Job,
 * CronJob). Pure, in place. `kubectl rollout status` refuses a StatefulSet without an update
 * strategy, and the operator compares stored specs with what it applied, so all must be there.
 */
import { defaultPodSpec } from './pod-defaults.js';
import { isObject, type JsonObject, type KubeObject } from './types.js';

function withDefaults(target: JsonObject, defaults: JsonObject): void {
  for (const [k, v] of Object.entries(defaults)) if (target[k] === undefined) target[k] = v;
}

const objectAt = (parent: JsonObject, key: string): JsonObject => {
  if (!isObject(parent[key])) parent[key] = {};
  return parent[key] as JsonObject;
};

function deployment(spec: JsonObject): void {
  withDefaults(spec, { replicas: 1, revisionHistoryLimit: 10, progressDeadlineSeconds: 600 });
  const strategy = objectAt(spec, 'strategy');
  withDefaults(strategy, { type: 'RollingUpdate' });
  if (strategy.type === 'RollingUpdate') withDefaults(objectAt(strategy, 'rollingUpdate'), { maxSurge: '25%', maxUnavailable: '25%' });
}

function statefulSet(spec: JsonObject): void {
  withDefaults(spec, { replicas: 1, podManagementPolicy: 'OrderedReady', revisionHistoryLimit: 10 });
  const strategy = objectAt(spec, 'updateStrategy');
  withDefaults(strategy, { type: 'RollingUpdate' });
  if (strategy.type === 'RollingUpdate') withDefaults(objectAt(strategy, 'rollingUpdate'), { partition: 0 });
  withDefaults(objectAt(spec, 'persistentVolumeClaimRetentionPolicy'), { whenDeleted: 'Retain', whenScaled: 'Retain' });
  for (const claim of Array.isArray(spec.volumeClaimTemplates) ? spec.volumeClaimTemplates.filter(isObject) : []) {
    withDefaults(claim, { apiVersion: 'v1', kind: 'PersistentVolumeClaim' });
    withDefaults(objectAt(claim, 'spec'), { volumeMode: 'Filesystem' });
    withDefaults(objectAt(claim, 'status'), { phase: 'Pending' });
  }
}

/** A Job without a manual selector gets one on its own uid, and its pods the labels that select them. */
function job(obj: KubeObject, spec: JsonObject): void {
  if (spec.completions === undefined && spec.parallelism === undefined) spec.completions = 1;
  withDefaults(spec, { parallelism: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false, manualSelector: false });
  if (spec.podFailurePolicy === undefined) withDefaults(spec, { podReplacementPolicy: 'TerminatingOrFailed' });
  const template = objectAt(spec, 'template');
  const templateMeta = objectAt(template, 'metadata');
  if (spec.manualSelector !== true && spec.selector === undefined) {
    const uid = obj.metadata.uid!;
    const name = obj.metadata.name!;
    spec.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
    templateMeta.labels = { ...(isObject(templateMeta.labels) ? templateMeta.labels : {}), 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': name, 'controller-uid': uid, 'job-name': name };
  }
  if (!obj.metadata.labels || !Object.keys(obj.metadata.labels).length) obj.metadata.labels = { ...(templateMeta.labels as Record<string, string> | undefined) };
}

function cronJob(spec: JsonObject): void {
  withDefaults(spec, { concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 });
  defaultPodSpec((isObject(spec.jobTemplate) && isObject(spec.jobTemplate.spec) && isObject(spec.jobTemplate.spec.template) ? spec.jobTemplate.spec.template : {}).spec);
}

export function defaultWorkload(group: string, kind: string, obj: KubeObject, creating: boolean): void {
  if (group !== 'apps' && group !== 'batch') return;
  if (!isObject(obj.spec)) return;
  const spec = obj.spec;
  switch (kind) {
    case 'Deployment':
      deployment(spec);
      break;
    case 'StatefulSet':
      statefulSet(spec);
      break;
    case 'ReplicaSet':
      withDefaults(spec, { replicas: 1 });
      break;
    case 'Job':
      if (creating) job(obj, spec);
      break;
    case 'CronJob':
      cronJob(spec);
      return;
    default:
      return;
  }
  if (creating && (kind === 'Deployment' || kind === 'Job')) obj.status ??= {};
  if (creating && kind === 'StatefulSet') obj.status ??= { replicas: 0, availableReplicas: 0 };
  defaultPodSpec(isObject(spec.template) ? spec.template.spec : undefined);
}
