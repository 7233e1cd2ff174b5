/** The built-in kinds the stack, helm and kubectl use, as kube-apiserver serves them. */
import type { PrinterColumn, ResourceType, ScalePaths } from './resource-type.js';
import { isObject, type JsonObject } from './types.js';

interface Builtin {
  gv: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  status?: boolean;
  generation?: boolean;
  scale?: boolean;
  storedIn?: string;
  columns?: PrinterColumn[];
  verbs?: string[];
}

const replicas: ScalePaths = { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.spec.selector' };

const col = (name: string, jsonPath: string, type = 'string'): PrinterColumn => ({ name, type, jsonPath });
const computed = (name: string, compute: (o: JsonObject) => unknown, type = 'string'): PrinterColumn => ({ name, type, jsonPath: '', compute });
/** A column only `-o wide` shows. */
const wide = (c: PrinterColumn): PrinterColumn => ({ ...c, priority: 1 });

const at = (o: unknown, ...path: string[]): unknown => path.reduce<unknown>((cur, k) => (isObject(cur) ? cur[k] : undefined), o);
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
const count = (v: unknown): number => (isObject(v) ? Object.keys(v).length : 0);

function podReady(o: JsonObject): string {
  const statuses = at(o, 'status', 'containerStatuses');
  const containers = at(o, 'spec', 'containers');
  const ready = Array.isArray(statuses) ? statuses.filter((s) => isObject(s) && s.ready === true).length : 0;
  return `${ready}/${Array.isArray(containers) ? containers.length : 0}`;
}

function podRestarts(o: JsonObject): number {
  const statuses = at(o, 'status', 'containerStatuses');
  return Array.isArray(statuses) ? statuses.reduce<number>((n, s) => n + num(at(s, 'restartCount')), 0) : 0;
}

function podStatus(o: JsonObject): string {
  if (at(o, 'metadata', 'deletionTimestamp')) return 'Terminating';
  const statuses = at(o, 'status', 'containerStatuses');
  for (const s of Array.isArray(statuses) ? statuses : []) {
    const reason = at(s, 'state', 'waiting', 'reason') ?? at(s, 'state', 'terminated', 'reason');
    if (typeof reason === 'string') return reason;
  }
  return String(at(o, 'status', 'reason') ?? at(o, 'status', 'phase') ?? 'Unknown');
}

function servicePorts(o: JsonObject): string {
  const ports = at(o, 'spec', 'ports');
  if (!Array.isArray(ports) || !ports.length) return '<none>';
  return ports.map((p) => `${num(at(p, 'port'))}${at(p, 'nodePort') ? `:${num(at(p, 'nodePort'))}` : ''}/${String(at(p, 'protocol') ?? 'TCP')}`).join(',');
}

function externalIp(o: JsonObject): string {
  const ingress = at(o, 'status', 'loadBalancer', 'ingress');
  const ips = Array.isArray(ingress) ? ingress.map((i) => at(i, 'ip') ?? at(i, 'hostname')).filter(Boolean) : [];
  if (ips.length) return ips.join(',');
  return at(o, 'spec', 'type') === 'LoadBalancer' ? '<pending>' : '<none>';
}

function nodeStatus(o: JsonObject): string {
  const conditions = at(o, 'status', 'conditions');
  const ready = (Array.isArray(conditions) ? conditions : []).find((c) => at(c, 'type') === 'Ready');
  const status = at(ready, 'status') === 'True' ? 'Ready' : at(ready, 'status') === 'False' ? 'NotReady' : 'Unknown';
  return at(o, 'spec', 'unschedulable') === true ? `${status},SchedulingDisabled` : status;
}

/** The condition that decided the Job, else whether it is suspended or still running. */
function jobStatus(o: JsonObject): string {
  const conditions = at(o, 'status', 'conditions');
  for (const c of Array.isArray(conditions) ? conditions : []) {
    if (at(c, 'status') === 'True' && ['Complete', 'Failed', 'Suspended', 'FailureTarget', 'SuccessCriteriaMet'].includes(String(at(c, 'type')))) return String(at(c, 'type'));
  }
  return 'Running';
}

const containersOf = (o: JsonObject, path: string[]): JsonObject[] => {
  const list = at(o, ...path);
  return Array.isArray(list) ? list.filter(isObject) : [];
};
const TEMPLATE_CONTAINERS = ['spec', 'template', 'spec', 'containers'];
const containerNames = (o: JsonObject): string => containersOf(o, TEMPLATE_CONTAINERS).map((c) => String(c.name)).join(',');
const containerImages = (o: JsonObject): string => containersOf(o, TEMPLATE_CONTAINERS).map((c) => String(c.image)).join(',');
const labelsText = (m: unknown): string => (isObject(m) && Object.keys(m).length ? Object.entries(m).map(([k, v]) => `${k}=${String(v)}`).join(',') : '<none>');

const ACCESS_MODES: Record<string, string> = { ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' };
const accessModes = (v: unknown): string => (Array.isArray(v) ? v.map((m) => ACCESS_MODES[String(m)] ?? String(m)).join(',') : '');

const builtins: Builtin[] = [
  { gv: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false, shortNames: ['ns'], status: true, columns: [col('Status', '.status.phase')], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] },
  { gv: 'v1', kind: 'Node', plural: 'nodes', namespaced: false, shortNames: ['no'], status: true, columns: [computed('Status', nodeStatus), computed('Roles', () => '<none>'), col('Version', '.status.nodeInfo.kubeletVersion')] },
  {
    gv: 'v1', kind: 'Pod', plural: 'pods', namespaced: true, shortNames: ['po'], categories: ['all'], status: true, generation: true,
    columns: [
      computed('Ready', podReady), computed('Status', podStatus), computed('Restarts', podRestarts),
      wide(computed('IP', (o) => at(o, 'status', 'podIP') ?? '<none>')), wide(computed('Node', (o) => at(o, 'spec', 'nodeName') ?? '<none>')),
      wide(computed('Nominated Node', (o) => at(o, 'status', 'nominatedNodeName') ?? '<none>')), wide(computed('Readiness Gates', () => '<none>')),
    ],
  },
  {
    gv: 'v1', kind: 'Service', plural: 'services', namespaced: true, shortNames: ['svc'], categories: ['all'], status: true,
    columns: [col('Type', '.spec.type'), col('Cluster-IP', '.spec.clusterIP'), computed('External-IP', externalIp), computed('Port(s)', servicePorts), wide(computed('Selector', (o) => labelsText(at(o, 'spec', 'selector'))))],
  },
  { gv: 'v1', kind: 'Endpoints', plural: 'endpoints', namespaced: true, shortNames: ['ep'] },
  { gv: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true, shortNames: ['cm'], columns: [computed('Data', (o) => count(o.data) + count(o.binaryData))] },
  { gv: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true, columns: [col('Type', '.type'), computed('Data', (o) => count(o.data), 'integer')] },
  { gv: 'v1', kind: 'Event', plural: 'events', namespaced: true, shortNames: ['ev'], columns: [col('Type', '.type'), col('Reason', '.reason'), col('Message', '.message')] },
  { gv: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true, shortNames: ['sa'] },
  {
    gv: 'v1', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', namespaced: true, shortNames: ['pvc'], status: true,
    columns: [
      col('Status', '.status.phase'), col('Volume', '.spec.volumeName'), computed('Capacity', (o) => at(o, 'status', 'capacity', 'storage') ?? ''),
      computed('Access Modes', (o) => accessModes(at(o, 'status', 'accessModes'))), col('StorageClass', '.spec.storageClassName'),
      computed('VolumeAttributesClass', (o) => at(o, 'spec', 'volumeAttributesClassName') ?? '<unset>'),
    ],
  },
  {
    gv: 'apps/v1', kind: 'Deployment', plural: 'deployments', namespaced: true, shortNames: ['deploy'], categories: ['all'], status: true, generation: true, scale: true,
    columns: [
      computed('Ready', (o) => `${num(at(o, 'status', 'readyReplicas'))}/${num(at(o, 'spec', 'replicas'))}`),
      computed('Up-to-date', (o) => num(at(o, 'status', 'updatedReplicas'))),
      computed('Available', (o) => num(at(o, 'status', 'availableReplicas'))),
      wide(computed('Containers', containerNames)), wide(computed('Images', containerImages)), wide(computed('Selector', (o) => labelsText(at(o, 'spec', 'selector', 'matchLabels')))),
    ],
  },
  {
    gv: 'apps/v1', kind: 'StatefulSet', plural: 'statefulsets', namespaced: true, shortNames: ['sts'], categories: ['all'], status: true, generation: true, scale: true,
    columns: [computed('Ready', (o) => `${num(at(o, 'status', 'readyReplicas'))}/${num(at(o, 'spec', 'replicas'))}`), wide(computed('Containers', containerNames)), wide(computed('Images', containerImages))],
  },
  {
    gv: 'apps/v1', kind: 'ReplicaSet', plural: 'replicasets', namespaced: true, shortNames: ['rs'], categories: ['all'], status: true, generation: true, scale: true,
    columns: [col('Desired', '.spec.replicas', 'integer'), col('Ready', '.status.readyReplicas', 'integer')],
  },
  {
    gv: 'batch/v1', kind: 'Job', plural: 'jobs', namespaced: true, categories: ['all'], status: true, generation: true,
    columns: [computed('Status', jobStatus), computed('Completions', (o) => `${num(at(o, 'status', 'succeeded'))}/${num(at(o, 'spec', 'completions')) || 1}`)],
  },
  {
    gv: 'batch/v1', kind: 'CronJob', plural: 'cronjobs', namespaced: true, shortNames: ['cj'], categories: ['all'], status: true, generation: true,
    columns: [col('Schedule', '.spec.schedule'), col('Timezone', '.spec.timeZone'), col('Suspend', '.spec.suspend', 'boolean'), computed('Active', (o) => (Array.isArray(at(o, 'status', 'active')) ? (at(o, 'status', 'active') as unknown[]).length : 0), 'integer'), col('Last Schedule', '.status.lastScheduleTime', 'date')],
  },
  { gv: 'apps/v1', kind: 'ControllerRevision', plural: 'controllerrevisions', namespaced: true },
  {
    gv: 'policy/v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', namespaced: true, shortNames: ['pdb'], status: true, generation: true,
    columns: [
      computed('Min Available', (o) => at(o, 'spec', 'minAvailable') ?? 'N/A'), computed('Max Unavailable', (o) => at(o, 'spec', 'maxUnavailable') ?? 'N/A'),
      computed('Allowed Disruptions', (o) => num(at(o, 'status', 'disruptionsAllowed'))),
    ],
  },
  {
    gv: 'networking.k8s.io/v1', kind: 'NetworkPolicy', plural: 'networkpolicies', namespaced: true, shortNames: ['netpol'], generation: true,
    columns: [computed('Pod-Selector', (o) => labelsText(at(o, 'spec', 'podSelector', 'matchLabels')))],
  },
  { gv: 'networking.k8s.io/v1', kind: 'Ingress', plural: 'ingresses', namespaced: true, shortNames: ['ing'], status: true, generation: true },
  { gv: 'coordination.k8s.io/v1', kind: 'Lease', plural: 'leases', namespaced: true, columns: [col('Holder', '.spec.holderIdentity')] },
  { gv: 'events.k8s.io/v1', kind: 'Event', plural: 'events', namespaced: true, shortNames: ['ev'], storedIn: '/events', columns: [col('Type', '.type'), col('Reason', '.reason'), col('Note', '.note')] },
  {
    gv: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', plural: 'customresourcedefinitions', namespaced: false,
    shortNames: ['crd', 'crds'], categories: ['api-extensions'], status: true, generation: true,
  },
  { gv: 'rbac.authorization.k8s.io/v1', kind: 'Role', plural: 'roles', namespaced: true },
  { gv: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', plural: 'rolebindings', namespaced: true },
  { gv: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', plural: 'clusterroles', namespaced: false },
  { gv: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', namespaced: false },
  { gv: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', plural: 'validatingwebhookconfigurations', namespaced: false, categories: ['api-extensions'], generation: true },
  { gv: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', plural: 'mutatingwebhookconfigurations', namespaced: false, categories: ['api-extensions'], generation: true },
  { gv: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', plural: 'validatingadmissionpolicies', namespaced: false, categories: ['api-extensions'], status: true, generation: true },
  { gv: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', plural: 'validatingadmissionpolicybindings', namespaced: false, categories: ['api-extensions'], generation: true },
  { gv: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', plural: 'selfsubjectaccessreviews', namespaced: false, verbs: ['create'] },
  { gv: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', plural: 'selfsubjectrulesreviews', namespaced: false, verbs: ['create'] },
  { gv: 'scheduling.k8s.io/v1', kind: 'PriorityClass', plural: 'priorityclasses', namespaced: false, shortNames: ['pc'] },
];

export function builtinTypes(): ResourceType[] {
  return builtins.map((b) => {
    const [group, version] = b.gv.includes('/') ? b.gv.split('/') : ['', b.gv];
    return {
      group,
      version,
      kind: b.kind,
      listKind: `${b.kind}List`,
      plural: b.plural,
      singular: b.kind.toLowerCase(),
      namespaced: b.namespaced,
      shortNames: b.shortNames ?? [],
      categories: b.categories ?? [],
      statusSubresource: b.status ?? false,
      hasGeneration: b.generation ?? false,
      ...(b.scale ? { scale: replicas } : {}),
      printerColumns: b.columns ?? [],
      selectableFields: [],
      ...(b.storedIn ? { storedIn: b.storedIn } : {}),
      ...(b.verbs ? { verbs: b.verbs } : {}),
    };
  });
}
