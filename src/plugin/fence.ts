/**
 * `kubectl webstack fence POD` / `unfence POD`: the change to the WebStack's fenced-instances
 * annotation (src/api/fencing.ts), or why it is refused. Pure: main.ts reads the pod and the stack
 * and writes the annotation.
 */
import { fencedAnnotation, fencedInstances } from '../api/fencing.js';
import { LABEL_COMPONENT, LABEL_STACK, names } from '../api/labels.js';
import { resolveSpec } from '../api/defaults.js';
import type { WebStack } from '../api/types.js';

export interface PodMeta { metadata?: { name?: string; labels?: Record<string, string> } }

/** The stack whose database `pod` is, or why it is none. */
export function stackOfPod(pod: PodMeta, podName: string): string | Error {
  const labels = pod.metadata?.labels ?? {};
  const stack = labels[LABEL_STACK];
  if (!stack || labels[LABEL_COMPONENT] !== 'database') return new Error(`pod ${podName} is not a database pod of a WebStack (labels ${LABEL_STACK} and ${LABEL_COMPONENT}=database)`);
  return stack;
}

export type FenceChange =
  | { change: false; message: string }
  | { change: true; value: string | null; message: string };

export function fenceChange(ws: WebStack, pod: string, fence: boolean): FenceChange | Error {
  const current = fencedInstances(ws);
  const where = `webstack ${ws.metadata.namespace}/${ws.metadata.name}`;
  if (fence === current.includes(pod)) return { change: false, message: `${where}: ${pod} is ${fence ? 'already' : 'not'} fenced; nothing to do` };
  if (!fence) return { change: true, value: fencedAnnotation(current, pod, false), message: `${where}: ${pod} unfenced; the operator takes it back into service` };
  const instances = Array.from({ length: resolveSpec(ws).database.replicas }, (_, i) => names.mysqlPod(ws.metadata.name, i));
  const open = instances.filter((i) => i !== pod && !current.includes(i));
  if (open.length === 0) return new Error(`${pod}: fencing it would leave no unfenced database instance of ${ws.metadata.namespace}/${ws.metadata.name} to be the primary`);
  const primary = ws.status?.database?.primary === pod ? ' It is the primary: the operator switches over to a replica first.' : '';
  return {
    change: true, value: fencedAnnotation(current, pod, true),
    message: `${where}: ${pod} fenced: no reads are sent to it and it is never promoted until \`kubectl webstack unfence ${pod}\`.${primary}`,
  };
}
