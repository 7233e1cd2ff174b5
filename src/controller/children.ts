/** Which live objects belong to a stack, and which of them the stack no longer wants. */
import { KIND } from '../api/types.js';
import { LABEL_STACK } from '../api/labels.js';
import type { KubeObject } from '../render/object.js';
import type { Caches } from '../kube/caches.js';
import { objectKey } from '../kube/resource-type.js';

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

/** Every cached object the WebStack with `uid` controls, from the owner index. */
export function ownedBy(caches: Caches, uid: string): LiveObject[] {
  return caches.owned<LiveObject>(uid);
}
