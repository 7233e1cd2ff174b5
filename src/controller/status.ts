/**
 * The WebStack's status, computed once at the end of a reconcile from what was observed: pure,
 * so every condition is table-tested. status.database and the database conditions are the
 * database manager's: kept as stored.
 */
import { DEGRADED, PROGRESSING, READY } from '../api/conditions.js';
import type { AppStatus, Condition, WebStackStatus } from '../api/types.js';
import { mergeConditions, type ConditionInput } from './conditions.js';
import { databaseVerdict } from './database-verdict.js';
import { assessWorkload, type LiveWorkload, type WorkloadAssessment } from './workloads.js';

export interface StatusObservation {
  generation: number;
  previous: WebStackStatus | undefined;
  /** RFC 3339, for new transition times. */
  now: string;
  /** Formatted validation errors: nothing was applied. */
  invalidSpec?: string;
  /** Why applying or deleting children failed this time. */
  applyError?: string;
  /** Children held back (owned by someone else, TLS Secret unusable): Ready says why. */
  blocked?: { reason: string; message: string };
  /** Kinds the spec asks for that the API server does not serve (Gateway API, cert-manager): Ready says which and what to install. */
  missingApis?: { reason: string; message: string }[];
  tiers: { name: string; replicas: number; deployment?: LiveWorkload }[];
  haproxy: { replicas: number; deployment?: LiveWorkload };
  database: { replicas: number; statefulSet?: LiveWorkload };
  /** The load balancer Service, for its external address. */
  service?: { status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } } };
  /** True when a database manager runs: Ready and Degraded also follow its conditions in `previous`. */
  databaseManaged?: boolean;
}

function listOf(items: { name: string; a: WorkloadAssessment }[]): string {
  return items.map(({ name, a }) => `${name}: ${a.reason}`).join('; ');
}

/** Why no request can be served when no pod of any app tier is ready, naming the tiers; undefined when one is. */
export function noAppPodReady(tiers: { name: string; a: WorkloadAssessment }[]): string | undefined {
  if (tiers.length === 0 || tiers.some((t) => t.a.readyReplicas > 0)) return undefined;
  const each = tiers.map((t) => `${t.name} 0/${t.a.replicas}`).join(', ');
  return `no pod of app ${tiers.length === 1 ? 'tier' : 'tiers'} ${each} is ready: the load balancer has no server to send a request to`;
}

function decideConditions(o: StatusObservation, workloads: { name: string; a: WorkloadAssessment }[], tiers: { name: string; a: WorkloadAssessment }[]): ConditionInput[] {
  const db = o.databaseManaged ? databaseVerdict(o.previous) : {};
  const rolling = workloads.filter((w) => w.a.state === 'missing' || w.a.state === 'rolling');
  const unavailable = workloads.filter((w) => w.a.state === 'unavailable');

  let progressing: ConditionInput;
  if (o.invalidSpec) {
    progressing = { type: PROGRESSING, status: 'False', reason: 'InvalidSpec', message: 'waiting for a valid spec; nothing was changed' };
  } else if (rolling.length > 0) {
    progressing = { type: PROGRESSING, status: 'True', reason: 'RollingOut', message: listOf(rolling) };
  } else {
    progressing = { type: PROGRESSING, status: 'False', reason: 'UpToDate', message: 'every workload matches the spec' };
  }

  let degraded: ConditionInput;
  if (o.applyError) {
    degraded = { type: DEGRADED, status: 'True', reason: 'ApplyFailed', message: o.applyError };
  } else if (unavailable.length > 0) {
    degraded = { type: DEGRADED, status: 'True', reason: 'ReplicasUnavailable', message: listOf(unavailable) };
  } else if (db.degraded) {
    degraded = { type: DEGRADED, status: 'True', ...db.degraded };
  } else {
    degraded = { type: DEGRADED, status: 'False', reason: 'AsExpected', message: 'no impairment observed' };
  }

  const noApp = noAppPodReady(tiers);
  let ready: ConditionInput;
  if (o.invalidSpec) {
    ready = { type: READY, status: 'False', reason: 'InvalidSpec', message: o.invalidSpec };
  } else if (o.applyError) {
    ready = { type: READY, status: 'False', reason: 'ApplyFailed', message: o.applyError };
  } else if (o.missingApis?.length) {
    // Before `blocked`: without cert-manager the TLS Secret never comes, and this says why.
    ready = { type: READY, status: 'False', reason: o.missingApis[0].reason, message: o.missingApis.map((m) => m.message).join('; ') };
  } else if (o.blocked) {
    ready = { type: READY, status: 'False', reason: o.blocked.reason, message: o.blocked.message };
  } else if (noApp) {
    ready = { type: READY, status: 'False', reason: 'NoAppPodReady', message: noApp };
  } else if (rolling.length > 0) {
    ready = { type: READY, status: 'False', reason: 'RollingOut', message: listOf(rolling) };
  } else if (unavailable.length > 0) {
    ready = { type: READY, status: 'False', reason: 'ReplicasUnavailable', message: listOf(unavailable) };
  } else if (db.notReady) {
    ready = { type: READY, status: 'False', ...db.notReady };
  } else {
    ready = { type: READY, status: 'True', reason: 'Available', message: `all ${workloads.length} workloads ready` };
  }
  return [ready, progressing, degraded];
}

export function computeStatus(o: StatusObservation): WebStackStatus {
  const tierAssessments = o.tiers.map((t) => ({ name: t.name, a: assessWorkload(t.deployment, t.replicas) }));
  const haproxy = assessWorkload(o.haproxy.deployment, o.haproxy.replicas);
  const database = assessWorkload(o.database.statefulSet, o.database.replicas);
  const workloads = [{ name: 'loadbalancer', a: haproxy }, ...tierAssessments.map((t) => ({ name: `app ${t.name}`, a: t.a })),
    { name: 'database', a: database }];
  const conditions: Condition[] = mergeConditions(o.previous?.conditions, decideConditions(o, workloads, tierAssessments), o.generation, o.now);

  const status: WebStackStatus = { ...o.previous, observedGeneration: o.generation, conditions };
  // An invalid spec describes no tiers we can trust: keep the last counts we had.
  if (!o.invalidSpec) {
    const apps: AppStatus[] = tierAssessments.map((t) => ({ name: t.name, replicas: t.a.replicas, readyReplicas: t.a.readyReplicas }));
    status.apps = apps;
    status.appsSummary = apps.map((a) => `${a.name} ${a.readyReplicas}/${a.replicas}`).join(', ');
    const ingress = o.service?.status?.loadBalancer?.ingress?.[0];
    const address = ingress?.ip || ingress?.hostname;
    status.loadBalancer = { readyReplicas: haproxy.readyReplicas, ...(address ? { address } : {}) };
  }
  return status;
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, canonical(x)]));
  }
  return v;
}

export function statusEqual(a: WebStackStatus | undefined, b: WebStackStatus | undefined): boolean {
  return JSON.stringify(canonical(a ?? {})) === JSON.stringify(canonical(b ?? {}));
}

/**
 * A JSON merge patch turning `prev` into `next`: keys that disappeared become null. Lists are
 * replaced whole, which is what merge patch does anyway.
 */
export function mergePatch(prev: unknown, next: unknown): unknown {
  if (!next || typeof next !== 'object' || Array.isArray(next) || !prev || typeof prev !== 'object' || Array.isArray(prev)) {
    return next === undefined ? null : next;
  }
  const p = prev as Record<string, unknown>;
  const n = next as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(p)) if (n[k] === undefined && p[k] !== undefined) out[k] = null;
  for (const [k, v] of Object.entries(n)) {
    if (v === undefined) continue;
    if (JSON.stringify(canonical(p[k])) === JSON.stringify(canonical(v))) continue;
    out[k] = mergePatch(p[k], v);
  }
  return out;
}
