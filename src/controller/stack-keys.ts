/** The work queue key of a WebStack ("namespace/name"), and of the stack an owned object's event concerns. */
import { KIND } from '../api/types.js';
import { controllingWebStackUid, type LiveObject } from './children.js';

export function stackKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? 'default'}/${name}`;
}

/** The WebStack an owned object's event concerns, if any. */
export function ownerKey(o: LiveObject): string | undefined {
  if (!controllingWebStackUid(o)) return undefined;
  const ref = o.metadata.ownerReferences!.find((r) => r.controller === true && r.kind === KIND)!;
  return stackKey(o.metadata.namespace, ref.name);
}
