/** The shape every rendered Kubernetes object has, and the metadata every stack object carries. */
import type { IPodDisruptionBudgetSpec } from 'kubernetes-models/policy/v1/PodDisruptionBudgetSpec';
import { componentSelector, stackLabels, type Component } from '../api/labels.js';
import { API_VERSION, KIND, type WebStack } from '../api/types.js';

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface KubeObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
}

export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: KubeObjectMeta;
} & Record<string, unknown>;

/** The controller ownerReference to the WebStack, so garbage collection removes what it owns. */
export function ownerReference(ws: WebStack): OwnerReference {
  if (!ws.metadata.uid) throw new Error(`metadata.uid: WebStack ${ws.metadata.name} has no uid to own objects with`);
  return { apiVersion: API_VERSION, kind: KIND, name: ws.metadata.name, uid: ws.metadata.uid, controller: true, blockOwnerDeletion: true };
}

/**
 * Metadata for an object owned by `ws`: in its namespace, with the given labels and annotations.
 * The ownerReference is added only when the WebStack has a uid (it has none when rendered from a
 * file with `render -f`, before it exists in a cluster).
 */
export function ownedMetadata(
  ws: WebStack,
  name: string,
  labels: Record<string, string>,
  annotations?: Record<string, string>,
): KubeObjectMeta {
  const meta: KubeObjectMeta = { name, namespace: ws.metadata.namespace ?? 'default', labels: { ...labels } };
  if (annotations && Object.keys(annotations).length > 0) meta.annotations = { ...annotations };
  if (ws.metadata.uid) meta.ownerReferences = [ownerReference(ws)];
  return meta;
}

/**
 * At most one pod of a component away at a time through voluntary disruptions (node drains):
 * with 2+ replicas one always serves, and a single replica can still be drained.
 */
export function podDisruptionBudget(ws: WebStack, name: string, component: Component): KubeObject {
  const stack = ws.metadata.name;
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: ownedMetadata(ws, name, stackLabels(stack, component)),
    spec: { maxUnavailable: 1, selector: { matchLabels: componentSelector(stack, component) } } satisfies IPodDisruptionBudgetSpec,
  };
}
