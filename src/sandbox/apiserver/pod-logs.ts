/**
 * pods/log: kube-apiserver proxies it to the pod's kubelet; here whoever runs pods (the sandbox
 * runtime) can serve it through a PodLogSource given to startApiServer. Without one, or for a pod
 * not yet on a node, the log is empty, as kube answers for a pod without a host.
 */
import { badRequest } from './errors.js';
import { isObject, type KubeObject } from './types.js';

export interface PodLogRequest {
  namespace: string;
  pod: string;
  container: string;
  tailLines?: number;
  previous: boolean;
}

/** The text of a container's log so far (`follow` streams are not served). */
export type PodLogSource = (req: PodLogRequest) => Promise<string> | string;

/** The container a log request means: the named one, or the pod's only one. */
export function logContainer(pod: KubeObject, asked: string | undefined): string {
  const spec = isObject(pod.spec) ? pod.spec : {};
  const names = [spec.containers, spec.initContainers, spec.ephemeralContainers]
    .flatMap((l) => (Array.isArray(l) ? l : []))
    .filter(isObject)
    .map((c) => String(c.name));
  const name = pod.metadata.name!;
  if (asked !== undefined) {
    if (!names.includes(asked)) throw badRequest(`container ${asked} is not valid for pod ${name}`);
    return asked;
  }
  const main = (Array.isArray(spec.containers) ? spec.containers : []).filter(isObject).map((c) => String(c.name));
  if (main.length !== 1) throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${main.join(' ')}]`);
  return main[0];
}

export async function readPodLog(source: PodLogSource | undefined, pod: KubeObject, q: URLSearchParams): Promise<string> {
  const container = logContainer(pod, q.get('container') ?? undefined);
  const onNode = isObject(pod.spec) && Boolean(pod.spec.nodeName);
  if (!source || !onNode) return '';
  const tail = q.get('tailLines');
  return source({ namespace: pod.metadata.namespace!, pod: pod.metadata.name!, container, tailLines: tail === null ? undefined : Number(tail), previous: q.get('previous') === 'true' });
}
