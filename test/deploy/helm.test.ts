import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { stackLabels } from '../../src/api/labels.js';
import { HAPROXY_ADMIN_PORT } from '../../src/render/haproxy-weights.js';
import { STORE_PORT } from '../../src/backup/store-protocol.js';
import { parseRunFlags, type RunFlags } from '../../src/controller/flags.js';
import { DEFAULT_MYSQLD_EXPORTER_IMAGE } from '../../src/render/mysqld-exporter.js';
import { CHART, findObject, helm, renderChart } from './chart.js';
import { validateKubeObject, type KubeObject } from './kube-schema.js';

type Rule = { apiGroups?: string[]; resources?: string[]; verbs: string[]; resourceNames?: string[] };
type Container = { image: string; args: string[]; env: { name: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[]; securityContext: Record<string, unknown>; livenessProbe: { httpGet: { path: string; port: string } }; readinessProbe: { httpGet: { path: string; port: string } }; ports: { name: string; containerPort: number }[] };
type PodSpec = { securityContext: Record<string, unknown>; containers: Container[]; serviceAccountName: string };

const NON_DEFAULT = {
  replicaCount: 3,
  watchNamespaces: ['shop', 'blog'],
  leaderElection: { enabled: true, leaseName: 'my-lease' },
  crds: { enabled: true, keep: false },
  serviceMonitor: { enabled: true, interval: '15s', labels: { release: 'prometheus' } },
  networkPolicy: { enabled: true, apiServerCIDRs: ['10.0.0.1/32'], metricsFrom: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }] },
  logFormat: 'text',
  resyncPeriod: '30s',
  nodeSelector: { 'kubernetes.io/os': 'linux' },
  tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'ops', effect: 'NoSchedule' }],
  imagePullSecrets: [{ name: 'regcred' }],
  podAnnotations: { 'example.com/team': 'platform' },
  heap: { maxOldSpaceMb: 384, semiSpaceMb: 8 },
};

const VARIANTS: Record<string, unknown> = {
  default: {},
  'non-default': NON_DEFAULT,
  'crds disabled, one replica, no leader election': { crds: { enabled: false, keep: true }, replicaCount: 1, leaderElection: { enabled: false, leaseName: 'webstack-operator-leader' } },
};

const rulesOf = (o: KubeObject) => (o as unknown as { rules: Rule[] }).rules;
const podSpec = (objects: KubeObject[]) => (findObject(objects, 'Deployment') as unknown as { spec: { replicas: number; template: { spec: PodSpec } } }).spec;
const container = (objects: KubeObject[]) => podSpec(objects).template.spec.containers[0];

function allows(rules: Rule[], group: string, resource: string, verb: string): boolean {
  return rules.some((r) => r.apiGroups?.includes(group) && r.resources?.includes(resource) && r.verbs.includes(verb) && !r.resourceNames);
}

describe('helm chart deploy/helm/webstack-operator', () => {
  it('passes helm lint --strict with default and non-default values', () => {
    for (const [name, values] of Object.entries(VARIANTS)) {
      const result = helm(['lint', '--strict', CHART], values);
      expect({ name, code: result.code, out: result.code ? result.stdout + result.stderr : '' }).toEqual({ name, code: 0, out: '' });
    }
  });

  it('renders only objects valid against the Kubernetes schemas, in every variant', async () => {
    for (const values of Object.values(VARIANTS)) {
      for (const obj of renderChart(values)) {
        if (obj.kind === 'ServiceMonitor') continue; // not a Kubernetes kind; checked structurally below
        await validateKubeObject(obj);
      }
    }
  });

  it('passes the operator only flags that `webstack-operator run` accepts, with the values asked for', () => {
    const expected: Record<string, Partial<RunFlags>> = {
      default: { namespaces: [], leaderElect: true, leaseNamespace: 'ops', leaseName: 'webstack-operator-leader', metricsPort: 8080, healthPort: 8081, logFormat: 'json', timings: expect.objectContaining({ resyncPeriodMs: 600_000 }) as never },
      'non-default': { namespaces: ['shop', 'blog'], leaderElect: true, leaseNamespace: 'ops', leaseName: 'my-lease', logFormat: 'text', timings: expect.objectContaining({ resyncPeriodMs: 30_000 }) as never },
      'crds disabled, one replica, no leader election': { leaderElect: false, leaseName: 'webstack-operator-leader' },
    };
    for (const [name, values] of Object.entries(VARIANTS)) {
      expect({ name, flags: parseRunFlags(container(renderChart(values)).args) }).toMatchObject({ name, flags: expected[name] });
    }
  });

  it('has the package version as appVersion', () => {
    const chart = parse(readFileSync(`${CHART}/Chart.yaml`, 'utf8')) as { appVersion: string };
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(chart.appVersion).toBe(pkg.version);
  });

  it('defaults: cluster-wide RBAC without wildcards, two replicas with leader election, restricted pods, CRD kept', () => {
    const objects = renderChart();
    expect(objects.map((o) => o.kind).sort()).toEqual(['ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'CustomResourceDefinition', 'Deployment', 'PodDisruptionBudget', 'Role', 'RoleBinding', 'Service', 'ServiceAccount']);
    const rbac = objects.filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role');
    for (const rule of rbac.flatMap(rulesOf)) {
      for (const list of [rule.apiGroups, rule.resources, rule.verbs, rule.resourceNames]) expect(list ?? []).not.toContain('*');
    }
    const clusterRules = rulesOf(findObject(objects, 'ClusterRole'));
    expect(allows(clusterRules, 'webstack.dev', 'webstacks/status', 'update')).toBe(true);
    expect(allows(clusterRules, 'webstack.dev', 'webstacks/finalizers', 'update')).toBe(true);
    expect(allows(clusterRules, '', 'pods', 'patch')).toBe(true);
    expect(allows(clusterRules, '', 'pods', 'delete')).toBe(true);
    expect(allows(clusterRules, '', 'pods', 'create')).toBe(false);
    expect(allows(clusterRules, 'webstack.dev', 'webstacks', 'delete')).toBe(false);
    expect(allows(clusterRules, 'coordination.k8s.io', 'leases', 'get')).toBe(false);
    for (const [group, resource] of [['gateway.networking.k8s.io', 'httproutes'], ['gateway.networking.k8s.io', 'tlsroutes'], ['cert-manager.io', 'certificates']]) {
      for (const verb of ['get', 'list', 'create', 'patch', 'delete']) expect(allows(clusterRules, group, resource, verb)).toBe(true);
    }

    const binding = findObject(objects, 'ClusterRoleBinding') as unknown as { roleRef: { name: string }; subjects: { name: string; namespace: string }[] };
    expect(binding.roleRef.name).toBe('webstack-operator');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'webstack-operator', namespace: 'ops' }]);

    const spec = podSpec(objects);
    expect(spec.replicas).toBe(2);
    const c = container(objects);
    expect(c.args).toEqual(['--leader-elect=true', '--lease-namespace=ops', '--lease-name=webstack-operator-leader', '--metrics-port=8080', '--health-port=8081', '--log-format=json', '--resync-period=10m', `--agent-image=${c.image}`,
      `--mysqld-exporter-image=${DEFAULT_MYSQLD_EXPORTER_IMAGE}`]);
    expect(c.env.map((e) => [e.name, e.valueFrom?.fieldRef?.fieldPath])).toEqual([['NODE_OPTIONS', undefined], ['POD_NAME', 'metadata.name'], ['POD_NAMESPACE', 'metadata.namespace']]);
    expect([c.livenessProbe.httpGet, c.readinessProbe.httpGet]).toEqual([{ path: '/healthz', port: 'health' }, { path: '/readyz', port: 'health' }]);
    expect(c.ports.map((p) => [p.name, p.containerPort])).toEqual([['metrics', 8080], ['health', 8081]]);
    expect(spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });

    expect(findObject(objects, 'PodDisruptionBudget').spec).toMatchObject({ minAvailable: 1 });
    expect(findObject(objects, 'Service').spec).toMatchObject({ ports: [{ name: 'metrics', port: 8080, targetPort: 'metrics' }] });
    for (const crd of ['webstacks.webstack.dev', 'webstackbackups.webstack.dev']) {
      expect(findObject(objects, 'CustomResourceDefinition', crd).metadata.annotations).toEqual({ 'helm.sh/resource-policy': 'keep' });
    }
  });

  it('limits the leader-election Role to its Lease (create cannot be limited by name)', () => {
    for (const [values, lease] of [[{}, 'webstack-operator-leader'], [NON_DEFAULT, 'my-lease']] as const) {
      const role = findObject(renderChart(values), 'Role', 'webstack-operator-leader-election', 'ops');
      expect(rulesOf(role)).toEqual([
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: [lease], verbs: ['get', 'update'] },
      ]);
    }
    expect(renderChart(VARIANTS['crds disabled, one replica, no leader election']).filter((o) => o.kind === 'Role')).toEqual([]);
  });

  it('watchNamespaces: a Role and RoleBinding per namespace with the ClusterRole rules, and no cluster-wide RBAC', () => {
    const clusterRules = rulesOf(findObject(renderChart(), 'ClusterRole'));
    const objects = renderChart(NON_DEFAULT);
    expect(objects.filter((o) => o.kind.startsWith('Cluster'))).toEqual([]);
    for (const ns of ['shop', 'blog']) {
      expect(rulesOf(findObject(objects, 'Role', 'webstack-operator', ns))).toEqual(clusterRules);
      const binding = findObject(objects, 'RoleBinding', 'webstack-operator', ns) as unknown as { roleRef: { kind: string }; subjects: { namespace: string }[] };
      expect(binding.roleRef.kind).toBe('Role');
      expect(binding.subjects[0].namespace).toBe('ops');
    }
    expect(container(objects).args).toEqual(['--namespace=shop,blog', '--leader-elect=true', '--lease-namespace=ops', '--lease-name=my-lease', '--metrics-port=8080', '--health-port=8081', '--log-format=text', '--resync-period=30s',
      '--agent-image=ghcr.io/webstack-dev/webstack-operator:0.1.0', `--mysqld-exporter-image=${DEFAULT_MYSQLD_EXPORTER_IMAGE}`]);
    expect(podSpec(objects).replicas).toBe(3);
  });

  it('crds.enabled and crds.keep switch the CRD and its keep annotation', () => {
    expect(renderChart({ crds: { enabled: false, keep: true } }).filter((o) => o.kind === 'CustomResourceDefinition')).toEqual([]);
    expect(findObject(renderChart(NON_DEFAULT), 'CustomResourceDefinition').metadata.annotations?.['helm.sh/resource-policy']).toBeUndefined();
  });

  it('a single replica gets no PodDisruptionBudget (it would block every drain)', () => {
    expect(renderChart({ replicaCount: 1 }).filter((o) => o.kind === 'PodDisruptionBudget')).toEqual([]);
  });

  it('serviceMonitor: scrapes the metrics Service by its labels and port name', () => {
    const objects = renderChart(NON_DEFAULT);
    const monitor = findObject(objects, 'ServiceMonitor') as unknown as { apiVersion: string; metadata: { labels: Record<string, string> }; spec: { selector: { matchLabels: Record<string, string> }; namespaceSelector: { matchNames: string[] }; endpoints: { port: string; path: string; interval: string }[] } };
    const service = findObject(objects, 'Service') as unknown as { metadata: { labels: Record<string, string> }; spec: { ports: { name: string }[] } };
    expect(monitor.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(monitor.metadata.labels.release).toBe('prometheus');
    expect(service.metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
    expect(monitor.spec.namespaceSelector.matchNames).toEqual(['ops']);
    expect(monitor.spec.endpoints).toEqual([{ port: service.spec.ports[0].name, path: '/metrics', honorLabels: true, interval: '15s', scrapeTimeout: '10s' }]);
  });

  it('networkPolicy: metrics and probes in; API server, DNS, the stacks\' database pods, HAProxy admin ports and backup stores out', () => {
    const policy = findObject(renderChart(NON_DEFAULT), 'NetworkPolicy') as unknown as { spec: { policyTypes: string[]; ingress: { ports: { port: string }[]; from?: unknown[] }[]; egress: { ports: { port: number }[]; to?: { ipBlock?: { cidr: string }; podSelector?: { matchLabels: Record<string, string> } }[] }[] } };
    expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy.spec.ingress.map((r) => [r.ports[0].port, r.from])).toEqual([['metrics', NON_DEFAULT.networkPolicy.metricsFrom], ['health', undefined]]);
    const [api, dns, mysql, haproxyAdmin, backupStore] = policy.spec.egress;
    expect(api.ports.map((p) => p.port)).toEqual([443, 6443]);
    expect(api.to).toEqual([{ ipBlock: { cidr: '10.0.0.1/32' } }]);
    expect(dns.ports.map((p) => p.port)).toEqual([53, 53]);
    // The servers and the agents beside them.
    expect(mysql.ports.map((p) => p.port)).toEqual([3306, 3390]);
    // The selector must match the labels the operator puts on database pods.
    expect(stackLabels('any', 'database')).toMatchObject(mysql.to![0].podSelector!.matchLabels);
    expect(haproxyAdmin.ports.map((p) => p.port)).toEqual([HAPROXY_ADMIN_PORT]);
    expect(stackLabels('any', 'loadbalancer')).toMatchObject(haproxyAdmin.to![0].podSelector!.matchLabels);
    expect(backupStore.ports.map((p) => p.port)).toEqual([STORE_PORT]);
    expect(stackLabels('any', 'backup-store')).toMatchObject(backupStore.to![0].podSelector!.matchLabels);
    expect(renderChart().filter((o) => o.kind === 'NetworkPolicy' || o.kind === 'ServiceMonitor')).toEqual([]);
  });

  it('sets the operator\'s heap through NODE_OPTIONS', () => {
    const nodeOptions = (values: unknown) => (container(renderChart(values)) as { env: { name: string; value?: string }[] }).env
      .find((e) => e.name === 'NODE_OPTIONS')?.value;
    expect(nodeOptions({})).toBe('--max-old-space-size=160 --max-semi-space-size=4');
    expect(nodeOptions(NON_DEFAULT)).toBe('--max-old-space-size=384 --max-semi-space-size=8');
  });

  it('values.schema.json refuses bad values, naming the field', () => {
    const cases: [unknown, RegExp][] = [
      [{ logFormat: 'xml' }, /logFormat/],
      [{ replicaCount: 0 }, /replicaCount/],
      [{ replicaCounts: 2 }, /replicaCounts/],
      [{ watchNamespaces: ['Not_A_Namespace'] }, /watchNamespaces/],
      [{ image: { repository: 'x', pullPolicy: 'Sometimes' } }, /pullPolicy/],
      [{ crds: { enabled: 'yes', keep: true } }, /crds\/enabled/],
      [{ networkPolicy: { enabled: true, apiServerCIDRs: ['10.0.0.1'] } }, /apiServerCIDRs/],
      [{ metrics: { port: 70000, service: { type: 'ClusterIP' } } }, /metrics\/port/],
      [{ serviceMonitor: { enabled: true, extra: 1 } }, /extra/],
      [{ heap: { maxOldSpaceMb: '160Mi', semiSpaceMb: 4 } }, /heap\/maxOldSpaceMb/],
    ];
    for (const [values, field] of cases) {
      const result = helm(['template', 'x', CHART], values);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(field);
    }
  });
});
