/**
 * An object's JSON as served, made once for the objects served last: the store never changes an
 * object it holds (a write stores a new one), so a write's response and every watch event of that
 * version share one string, as kube-apiserver serializes an object once for all its watchers. Only
 * the last RECENT objects keep theirs: a string kept for every stored object would double the
 * server's memory (460 MB more at 5,000 stacks, and slower collections).
 */
import type { KubeObject } from './types.js';

const RECENT = 1024;

const made = new Map<KubeObject, string>();

export function objectJson(o: KubeObject): string {
  let json = made.get(o);
  if (json === undefined) {
    json = JSON.stringify(o);
    if (made.size >= RECENT) made.delete(made.keys().next().value!);
    made.set(o, json);
  }
  return json;
}
