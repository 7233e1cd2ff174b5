/**
 * The database instances of a stack as Kubernetes shows them: the StatefulSet's pods, each
 * addressed by its pod IP (what replicas are pointed at with CHANGE MASTER; the manager re-points
 * them when an IP changes). Pure.
 */
import { LABEL_COMPONENT, LABEL_STACK, names } from '../../api/labels.js';
import { DATABASE_PORT_NAME } from '../../render/database.js';
import { MYSQL_PORT } from '../../render/mysql-config.js';
import type { InstanceAddress } from '../../mysql/ports.js';

export interface DatabasePod {
  metadata: { name?: string; namespace?: string; uid?: string; labels?: Record<string, string>; deletionTimestamp?: string;
    ownerReferences?: { kind: string; name: string; uid?: string; controller?: boolean }[] };
  spec?: { containers?: { ports?: { name?: string; containerPort: number }[] }[]; volumes?: { secret?: { secretName?: string } }[] };
  status?: { podIP?: string; phase?: string; conditions?: { type: string; status: string }[];
    containerStatuses?: { restartCount?: number; ready?: boolean }[] };
}

/**
 * True for a pod controlled by the stack's database StatefulSet, the one with `statefulSetUid`.
 * Labels alone prove nothing: anyone may label a pod like a database pod, and the operator would
 * hand it the admin credentials and a role behind the Services.
 */
export function isDatabasePodOf(pod: DatabasePod, stack: string, statefulSetUid: string | undefined): boolean {
  const labels = pod.metadata.labels ?? {};
  if (!statefulSetUid || labels[LABEL_STACK] !== stack || labels[LABEL_COMPONENT] !== 'database') return false;
  const owner = pod.metadata.ownerReferences?.find((r) => r.controller);
  return owner?.kind === 'StatefulSet' && owner.name === names.mysql(stack) && owner.uid === statefulSetUid;
}

function databasePort(pod: DatabasePod): number {
  for (const c of pod.spec?.containers ?? []) {
    const port = c.ports?.find((p) => p.name === DATABASE_PORT_NAME);
    if (port) return port.containerPort;
  }
  return MYSQL_PORT;
}

/** The StatefulSet's pod label naming the revision (template) a pod was made from. */
export const LABEL_REVISION_HASH = 'controller-revision-hash';

/** What of the database StatefulSet the topology needs: whose pods count, and which revision is current. */
export interface DatabaseStatefulSet {
  uid?: string;
  /** status.updateRevision: pods made from another revision are outdated (the StatefulSet updates OnDelete). */
  updateRevision?: string;
}

/**
 * The pod mounts the stack's TLS Secret, so its server requires TLS (the Secret exists before any
 * such pod starts: a pod does not start without the Secret it mounts). Pods from before the stack
 * had certificates do not, and are reached without TLS until they restart.
 */
function servesTls(pod: DatabasePod, stack: string): boolean {
  return (pod.spec?.volumes ?? []).some((v) => v.secret?.secretName === names.mysqlTlsSecret(stack));
}

/**
 * Every database pod of the stack, sorted by name. A pod without an IP yet is still listed (it
 * exists and is unreachable, which the manager must know), addressed by its stable DNS name through
 * the headless Service, which fails to connect until the pod runs.
 */
export function instancesFromPods(pods: readonly DatabasePod[], namespace: string, stack: string,
  statefulSet: DatabaseStatefulSet | undefined): InstanceAddress[] {
  const update = statefulSet?.updateRevision;
  return pods
    .filter((p) => p.metadata.namespace === namespace && isDatabasePodOf(p, stack, statefulSet?.uid))
    .map((p) => {
      const name = p.metadata.name!;
      const host = p.status?.podIP || `${name}.${names.mysqlHeadless(stack)}.${namespace}.svc`;
      const revision = p.metadata.labels?.[LABEL_REVISION_HASH];
      const ready = p.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
      return {
        name, host, port: databasePort(p), ready, ...(update && revision && revision !== update ? { outdated: true } : {}),
        ...(servesTls(p, stack) ? { tls: true } : {}),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
}

/**
 * What about a pod is worth an early tick of its stack's manager: its address, readiness, restarts
 * and deletion. Label changes (ours) are left out, so moving a role label does not wake the manager.
 */
export function podFingerprint(pod: DatabasePod): string {
  const s = pod.status ?? {};
  const ready = s.conditions?.find((c) => c.type === 'Ready')?.status ?? '';
  const restarts = (s.containerStatuses ?? []).map((c) => `${c.restartCount ?? 0}/${c.ready ? 1 : 0}`).join(',');
  return [s.podIP ?? '', s.phase ?? '', ready, restarts, pod.metadata.deletionTimestamp ?? ''].join('|');
}
