/** Which live objects belong to a stack, and which of them the stack no longer wants. */
import { KIND } from '../api/types.js';
import { LABEL_STACK } from '../api/labels.js';
import type { KubeObject } from '../render/object.js';
import type { Caches } from '../kube/caches.js';
import { objectKey } from '../kube/resource-type.js';
import { OWNED } from './resources.js';

export interface LiveObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name?: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    ownerReferences?: { kind: string; uid: string; controller?: boolean; apiVersion: string; name: string }[];
    deletionTimestamp?: string | Date;
    resourceVersion?: string;
  };
}

/** The uid of the WebStack that controls `o`, if a WebStack does. */
export function controllingWebStackUid(o: LiveObject): string | undefined {
  return o.metadata.ownerReferences?.find((r) => r.controller === true && r.kind === KIND)?.uid;
}

/**
 * Objects to delete: labelled for the stack, controlled by this WebStack (uid), not in the
 * desired set, not already terminating. Anything not controlled by us is never touched.
 */
export function childrenToDelete(desired: readonly KubeObject[], live: readonly LiveObject[], stack: string,
  ownerUid: string): LiveObject[] {
  const wanted = new Set(desired.map(objectKey));
  return live.filter((o) => o.metadata.labels?.[LABEL_STACK] === stack
    && controllingWebStackUid(o) === ownerUid
    && !o.metadata.deletionTimestamp
    && !wanted.has(objectKey(o)));
}

/** Every cached object of the owned kinds labelled for `stack` in `namespace`. */
export function ownedBy(caches: Caches, namespace: string, stack: string): LiveObject[] {
  return OWNED.flatMap((t) => caches.list<LiveObject>(t.kind, namespace)).filter((o) => o.metadata.labels?.[LABEL_STACK] === stack);
}
