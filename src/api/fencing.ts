/**
 * A fence a user asks for (`kubectl webstack fence POD`): the WebStack annotation
 * `webstack.dev/fenced-instances` lists database pods, comma-separated. It is on the WebStack, not
 * the pod, so it outlives a pod the StatefulSet recreates. The database manager keeps a fenced
 * instance out of service: never the primary (a fenced primary is switched over first), never a
 * failover candidate, out of the replicas Service (role label `fenced`), and left alone (no repair).
 * Pure.
 */
import { ANNOTATION_FENCED_INSTANCES } from './labels.js';

/** The fenced pods of a WebStack, sorted, without duplicates or blanks. */
export function fencedInstances(ws: { metadata: { annotations?: Record<string, string> } }): string[] {
  const raw = ws.metadata.annotations?.[ANNOTATION_FENCED_INSTANCES] ?? '';
  return [...new Set(raw.split(',').map((s) => s.trim()).filter(Boolean))].sort();
}

/** The annotation's value with `pod` fenced (`fence`) or not; null when nothing stays fenced (the annotation goes). */
export function fencedAnnotation(current: readonly string[], pod: string, fence: boolean): string | null {
  const next = new Set(current);
  if (fence) next.add(pod); else next.delete(pod);
  return next.size > 0 ? [...next].sort().join(',') : null;
}
