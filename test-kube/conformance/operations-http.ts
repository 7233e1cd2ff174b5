/** Raw HTTP: discovery, OpenAPI, Table responses, error statuses and access reviews, as clients read them. */
import { configMap } from './manifests.js';
import { parsed } from './normalise.js';
import { http, kubectl, op, statusAnswer, type Normaliser, type Operation } from './operation.js';

/** The resources the operator, kubectl, helm, Argo CD and the sandbox use, by group-version. */
export const USED_RESOURCES: Record<string, string[]> = {
  '/api/v1': [
    'namespaces', 'pods', 'pods/status', 'pods/log', 'pods/binding', 'pods/eviction', 'services', 'services/status', 'endpoints', 'configmaps', 'secrets',
    'events', 'serviceaccounts', 'serviceaccounts/token', 'persistentvolumeclaims', 'nodes', 'nodes/status',
  ],
  '/apis/apps/v1': ['deployments', 'deployments/status', 'deployments/scale', 'statefulsets', 'statefulsets/status', 'statefulsets/scale', 'replicasets', 'controllerrevisions'],
  '/apis/batch/v1': ['jobs', 'jobs/status', 'cronjobs'],
  '/apis/policy/v1': ['poddisruptionbudgets'],
  '/apis/networking.k8s.io/v1': ['networkpolicies', 'ingresses'],
  '/apis/coordination.k8s.io/v1': ['leases'],
  '/apis/events.k8s.io/v1': ['events'],
  '/apis/rbac.authorization.k8s.io/v1': ['roles', 'rolebindings', 'clusterroles', 'clusterrolebindings'],
  '/apis/authorization.k8s.io/v1': ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
  '/apis/apiextensions.k8s.io/v1': ['customresourcedefinitions'],
};

const sorted = (v: unknown): unknown => (Array.isArray(v) ? [...v].sort() : v);

/** The parts of an APIResourceList entry clients act on, for the used resources only. */
const resourcesAnswer = (used: string[]): Normaliser => (o) => {
  const list = parsed(o.stdout) as { resources?: Record<string, unknown>[] };
  const byName = new Map((list.resources ?? []).map((r) => [r.name as string, r]));
  return {
    code: o.code,
    resources: Object.fromEntries(used.map((name) => {
      const r = byName.get(name);
      return [name, r && { kind: r.kind, namespaced: r.namespaced, verbs: sorted(r.verbs), shortNames: sorted(r.shortNames), categories: sorted(r.categories) }];
    })),
  };
};

const USED_GROUPS = [...new Set(Object.keys(USED_RESOURCES).filter((p) => p.startsWith('/apis/')).map((p) => p.split('/')[2]))];

const groupsAnswer: Normaliser = (o) => {
  const list = parsed(o.stdout) as { groups?: { name: string; preferredVersion?: { groupVersion: string } }[] };
  const served = new Map((list.groups ?? []).map((g) => [g.name, g.preferredVersion?.groupVersion]));
  return { code: o.code, kind: (parsed(o.stdout) as { kind?: string }).kind, preferred: Object.fromEntries(USED_GROUPS.map((g) => [g, served.get(g)])) };
};

/** Argo CD's cluster cache reads /openapi/v2 definitions by their group-version-kind. */
const openApiV2Answer: Normaliser = (o) => {
  const doc = parsed(o.stdout) as { swagger?: string; definitions?: Record<string, { 'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string }[] }> };
  const gvks = new Set(Object.values(doc.definitions ?? {}).flatMap((d) => (d['x-kubernetes-group-version-kind'] ?? []).map((g) => `${g.group}/${g.version}/${g.kind}`)));
  const wanted = ['/v1/Pod', '/v1/Service', '/v1/ConfigMap', 'apps/v1/Deployment', 'apps/v1/StatefulSet', 'batch/v1/Job', 'policy/v1/PodDisruptionBudget', 'networking.k8s.io/v1/NetworkPolicy'];
  return { code: o.code, swagger: doc.swagger, gvks: Object.fromEntries(wanted.map((g) => [g, gvks.has(g)])) };
};

const openApiV3IndexAnswer: Normaliser = (o) => {
  const paths = (parsed(o.stdout) as { paths?: Record<string, { serverRelativeURL?: string }> }).paths ?? {};
  return { code: o.code, paths: Object.fromEntries(Object.keys(USED_RESOURCES).map((p) => [p.slice(1), Boolean(paths[p.slice(1)]?.serverRelativeURL)])) };
};

/** What kubectl reads from a group-version's OpenAPI v3: the schema (explain) and whether PATCH takes fieldValidation. */
const openApiV3Answer = (schema: string, patchPath: string): Normaliser => (o) => {
  const doc = parsed(o.stdout) as { components?: { schemas?: Record<string, { properties?: Record<string, unknown>; 'x-kubernetes-group-version-kind'?: unknown }> }; paths?: Record<string, { patch?: { parameters?: { name: string }[] } }> };
  const s = doc.components?.schemas?.[schema];
  return {
    code: o.code,
    schema: s && { properties: Object.keys(s.properties ?? {}).sort(), gvk: s['x-kubernetes-group-version-kind'] },
    patchFieldValidation: Boolean(doc.paths?.[patchPath]?.patch?.parameters?.some((p) => p.name === 'fieldValidation')),
  };
};

const tableAnswer: Normaliser = (o) => {
  const t = parsed(o.stdout) as { kind?: string; columnDefinitions?: { name: string; type: string; priority?: number }[]; rows?: { cells: unknown[] }[] };
  return { code: o.code, kind: t.kind, columns: t.columnDefinitions?.map((c) => `${c.name}:${c.type}:${c.priority ?? 0}`), cells: t.rows?.map((r) => r.cells.slice(0, -1).join(' | ')) };
};

const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';
const AGGREGATED = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';
const cm = (name: string): unknown => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: '1' } });

const ssar = (verb: string, resource: string, group = ''): unknown => ({
  apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { namespace: '{ns}', verb, resource, group } },
});

export const httpOperations: Operation[] = [
  op('discovery /api', http('GET', '/api'), (o) => ({ code: o.code, versions: (parsed(o.stdout) as { versions?: string[] }).versions })),
  op('discovery /apis', http('GET', '/apis'), groupsAnswer),
  op('aggregated discovery /apis', http('GET', '/apis', undefined, { accept: AGGREGATED }), (o) => ({ code: o.code, kind: (parsed(o.stdout) as { kind?: string }).kind })),
  ...Object.entries(USED_RESOURCES).map(([path, used]) => op(`discovery ${path}`, http('GET', path), resourcesAnswer(used))),
  op('/version', http('GET', '/version'), (o) => ({ code: o.code, keys: Object.keys(parsed(o.stdout) as object).sort() })),
  op('/openapi/v2', http('GET', '/openapi/v2'), openApiV2Answer),
  op('/openapi/v3 index', http('GET', '/openapi/v3'), openApiV3IndexAnswer),
  op('/openapi/v3 apps/v1', http('GET', '/openapi/v3/apis/apps/v1'), openApiV3Answer('io.k8s.api.apps.v1.Deployment', '/apis/apps/v1/namespaces/{namespace}/deployments/{name}')),
  op('/openapi/v3 api/v1', http('GET', '/openapi/v3/api/v1'), openApiV3Answer('io.k8s.api.core.v1.ConfigMap', '/api/v1/namespaces/{namespace}/configmaps/{name}')),
  op('Table of ConfigMaps', http('GET', '/api/v1/namespaces/{ns}/configmaps?labelSelector=conf', undefined, { accept: TABLE }), tableAnswer, [kubectl(['apply', '-f', '-'], configMap('a'))]),
  op('Table of Deployments', http('GET', '/apis/apps/v1/namespaces/{ns}/deployments', undefined, { accept: TABLE }), tableAnswer),
  op('Table of Pods', http('GET', '/api/v1/namespaces/{ns}/pods', undefined, { accept: TABLE }), tableAnswer),
  op('list of ConfigMaps: the list names its kind, its items do not', http('GET', '/api/v1/namespaces/{ns}/configmaps?labelSelector=conf'), (o) => {
    const list = parsed(o.stdout) as { kind?: string; apiVersion?: string; items?: Record<string, unknown>[] };
    return { code: o.code, kind: list.kind, apiVersion: list.apiVersion, itemKeys: (list.items ?? []).map((i) => Object.keys(i).sort()) };
  }, [kubectl(['apply', '-f', '-'], configMap('a'))]),
  op('404 NotFound', http('GET', '/api/v1/namespaces/{ns}/configmaps/missing'), statusAnswer),
  op('409 AlreadyExists', http('POST', '/api/v1/namespaces/{ns}/configmaps', cm('a')), statusAnswer, [http('POST', '/api/v1/namespaces/{ns}/configmaps', cm('a'))]),
  op('409 Conflict on a stale resourceVersion', http('PUT', '/api/v1/namespaces/{ns}/configmaps/a', { ...(cm('a') as object), metadata: { name: 'a', resourceVersion: '1' } }), statusAnswer, [http('POST', '/api/v1/namespaces/{ns}/configmaps', cm('a'))]),
  op('422 Invalid name', http('POST', '/api/v1/namespaces/{ns}/configmaps', cm('Bad_Name')), statusAnswer),
  op('403 deleting namespace default', http('DELETE', '/api/v1/namespaces/default?dryRun=All'), statusAnswer),
  op('404 in a missing namespace', http('POST', '/api/v1/namespaces/nowhere-at-all/configmaps', cm('a')), statusAnswer),
  op('405 on a wrong method', http('POST', '/api/v1/namespaces/{ns}/configmaps/a', cm('a')), (o) => ({ code: o.code })),
  op('SelfSubjectAccessReview', http('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', ssar('create', 'deployments', 'apps')), (o) => {
    const r = parsed(o.stdout) as { kind?: string; status?: { allowed?: boolean } };
    return { code: o.code, kind: r.kind, allowed: r.status?.allowed };
  }),
];
