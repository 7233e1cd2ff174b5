/**
 * kube-apiserver's defaults for pod specs (in pods and in workload templates) and for pods
 * alone (admission: priority, default tolerations, QoS class). Pure, in place. Clients read them
 * back (the operator compares what it applied with what is stored), so they must be there.
 */
import { isObject, type JsonObject } from './types.js';

const each = (v: unknown): JsonObject[] => (Array.isArray(v) ? v.filter(isObject) : []);

function withDefaults(target: JsonObject, defaults: JsonObject): void {
  for (const [k, v] of Object.entries(defaults)) if (target[k] === undefined) target[k] = v;
}

/** `:latest` or no tag means the image can change under the same name, so kube always pulls it. */
function pullPolicy(image: unknown): string {
  if (typeof image !== 'string' || image.includes('@')) return 'IfNotPresent';
  const lastPart = image.split('/').pop()!;
  const tag = lastPart.includes(':') ? lastPart.split(':').pop() : undefined;
  return tag === undefined || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function probe(p: unknown): void {
  if (!isObject(p)) return;
  withDefaults(p, { timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  if (isObject(p.httpGet)) withDefaults(p.httpGet, { path: '/', scheme: 'HTTP' });
}

function container(c: JsonObject): void {
  withDefaults(c, { terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', imagePullPolicy: pullPolicy(c.image), resources: {} });
  for (const port of each(c.ports)) withDefaults(port, { protocol: 'TCP' });
  for (const p of [c.livenessProbe, c.readinessProbe, c.startupProbe]) probe(p);
  for (const e of each(c.env)) if (isObject(e.valueFrom) && isObject(e.valueFrom.fieldRef)) withDefaults(e.valueFrom.fieldRef, { apiVersion: 'v1' });
}

function volume(v: JsonObject): void {
  for (const source of ['configMap', 'secret', 'projected', 'downwardAPI']) if (isObject(v[source])) withDefaults(v[source], { defaultMode: 420 });
}

export function defaultPodSpec(spec: unknown): void {
  if (!isObject(spec)) return;
  withDefaults(spec, { dnsPolicy: 'ClusterFirst', restartPolicy: 'Always', terminationGracePeriodSeconds: 30, securityContext: {}, schedulerName: 'default-scheduler' });
  for (const list of ['containers', 'initContainers']) for (const c of each(spec[list])) container(c);
  for (const v of each(spec.volumes)) volume(v);
}

const NOT_READY_TOLERATIONS = ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'];

/** Guaranteed when every container limits cpu and memory and requests the same; BestEffort when none asks for anything. */
function qosClass(containers: JsonObject[]): string {
  const requirements = containers.map((c) => (isObject(c.resources) ? c.resources : {}));
  const listed = (r: JsonObject, k: string): JsonObject => (isObject(r[k]) ? r[k] : {});
  if (requirements.every((r) => !Object.keys(listed(r, 'requests')).length && !Object.keys(listed(r, 'limits')).length)) return 'BestEffort';
  const guaranteed = requirements.every((r) => ['cpu', 'memory'].every((k) => listed(r, 'limits')[k] !== undefined && listed(r, 'requests')[k] === listed(r, 'limits')[k]));
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** What a pod gets beyond its spec's defaults: requests from limits, priority, the default tolerations, its QoS class. */
export function defaultPod(pod: JsonObject, creating: boolean): void {
  const spec = isObject(pod.spec) ? pod.spec : undefined;
  if (!spec) return;
  defaultPodSpec(spec);
  for (const c of [...each(spec.containers), ...each(spec.initContainers)]) {
    const resources = isObject(c.resources) ? c.resources : {};
    if (isObject(resources.limits)) resources.requests = { ...resources.limits, ...(isObject(resources.requests) ? resources.requests : {}) };
  }
  withDefaults(spec, { enableServiceLinks: true, preemptionPolicy: 'PreemptLowerPriority', priority: 0, serviceAccountName: 'default' });
  withDefaults(spec, { serviceAccount: spec.serviceAccountName });
  if (!creating) return;
  const tolerations = each(spec.tolerations);
  for (const key of NOT_READY_TOLERATIONS) {
    if (!tolerations.some((t) => t.key === key)) tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
  }
  spec.tolerations = tolerations;
  const status = isObject(pod.status) ? pod.status : {};
  withDefaults(status, { phase: 'Pending', qosClass: qosClass(each(spec.containers)) });
  pod.status = status;
}
