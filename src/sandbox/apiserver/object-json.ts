/**
 * An object's JSON as served, made once per object: the store never changes an object it holds (a
 * write stores a new one), so a write's response and every watch event of that version share one
 * string, as kube-apiserver serializes an object once for all its watchers.
 */
import type { KubeObject } from './types.js';

const made = new WeakMap<KubeObject, string>();

export function objectJson(o: KubeObject): string {
  let json = made.get(o);
  if (json === undefined) {
    json = JSON.stringify(o);
    made.set(o, json);
  }
  return json;
}
