/**
 * A merge patch of an object's /status, computed from the object as it is and conditional on its
 * resourceVersion. Merge patches replace lists whole, so two writers of one list (the conditions)
 * must never write from a stale copy: when another writer got there first (409) the object is read
 * again and the patch computed anew.
 */
import { isConflict, isNotFound, type KubeClient } from './client.js';
import type { ResourceType } from './resource-type.js';

export interface Versioned {
  metadata: { resourceVersion?: string };
}

/**
 * `patchFor` returns the status patch for the object as it is, or undefined when the status
 * already says it all. `current` (a cached copy) spares the first read. A vanished object is no error.
 * The object as written, or undefined when nothing was.
 */
export async function patchStatus<T extends Versioned>(client: KubeClient, type: ResourceType, namespace: string, name: string,
  patchFor: (current: T) => object | undefined, current?: T, attempts = 5): Promise<T | undefined> {
  let object = current;
  for (let attempt = 1; ; attempt++) {
    object ??= await client.get<T>(type, namespace, name);
    if (!object) return undefined;
    const status = patchFor(object);
    if (!status) return undefined;
    try {
      return await client.mergePatch<T>(type, namespace, name, { metadata: { resourceVersion: object.metadata.resourceVersion }, status }, 'status');
    } catch (err) {
      if (isNotFound(err)) return undefined;
      if (!isConflict(err) || attempt >= attempts) throw err;
      object = undefined;
    }
  }
}
