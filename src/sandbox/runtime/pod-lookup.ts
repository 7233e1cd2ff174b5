/**
 * Which pod `sandbox kill|stop|cont POD [-n NS]` means, or why none: without -n, the namespace
 * where a pod of that name runs; a name in several namespaces, in another namespace than the one
 * given, or in none is refused, each with its own words. Pure.
 */

export interface PodRef { namespace: string; name: string }

export type PodLookup = { namespace: string } | { error: string };

export function lookupPod(pods: readonly PodRef[], name: string, namespace: string | undefined): PodLookup {
  const namespaces = [...new Set(pods.filter((p) => p.name === name).map((p) => p.namespace))].sort();
  if (namespace !== undefined) {
    if (namespaces.includes(namespace)) return { namespace };
    if (namespaces.length === 0) return { error: `pod ${name} does not exist in namespace ${namespace}, nor in any other (kubectl get pods -A lists them)` };
    return { error: `pod ${name} does not exist in namespace ${namespace}; it runs in ${list(namespaces)}: use -n ${namespaces[0]}` };
  }
  if (namespaces.length === 1) return { namespace: namespaces[0] };
  if (namespaces.length === 0) return { error: `pod ${name} does not exist in this sandbox (kubectl get pods -A lists them)` };
  return { error: `pod ${name} runs in ${list(namespaces)}: say which with -n` };
}

function list(namespaces: string[]): string {
  return namespaces.length === 1 ? `namespace ${namespaces[0]}` : `namespaces ${namespaces.join(', ')}`;
}
