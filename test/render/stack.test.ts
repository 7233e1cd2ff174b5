import { describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  LABEL_INSTANCE, LABEL_MANAGED_BY, LABEL_PART_OF, LABEL_STACK, MANAGER,
} from '../../src/api/labels.js';
import type { WebStack } from '../../src/api/types.js';
import { validateWebStack } from '../../src/api/validate.js';
import { APPLY_ORDER, renderStack } from '../../src/render/stack.js';
import { objectsToYaml } from '../../src/render/yaml.js';
import { validateKubeObject } from '../deploy/kube-schema.js';
import type { Loose } from './find.js';
import { newDatabaseCredentials } from '../../src/render/credentials.js';
import { EXAMPLE_NAMES, example, FIXED_ADMIN_TOKEN, FIXED_CERTIFICATES, FIXED_CREDENTIALS, FIXED_UID, stack, withSpec } from './fixtures.js';

const inputs = { credentials: FIXED_CREDENTIALS, haproxyAdminToken: FIXED_ADMIN_TOKEN, certificates: FIXED_CERTIFICATES };

/** Stacks beyond the examples, each switching on something the examples leave at its default. */
const variations: Record<string, WebStack> = {
  'async mysql, one instance, no policies': stack({ database: { replication: { mode: 'async' }, replicas: 1 }, networkPolicy: { enabled: false } }),
  'ClusterIP service, TLS without redirect, every algorithm field': stack({
    loadBalancer: { replicas: 4, algorithm: 'source', service: { type: 'ClusterIP', port: 8000 }, tls: { secretName: 't', redirectHttp: false }, resources: { limits: { cpu: '1' } } },
    apps: [{ name: 'api', image: 'x', port: 5000, healthPath: '/healthz', env: [{ name: 'A', value: 'b' }, { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }] }],
  }),
  'NodePort service, mariadb async with storage class': stack({
    loadBalancer: { service: { type: 'NodePort' } },
    database: { engine: 'mariadb', replication: { mode: 'async' }, storage: { size: '1Gi', storageClassName: 'local' }, primary: 'shop-mysql-1' },
  }),
};

const allStacks: [string, WebStack][] = [
  ...EXAMPLE_NAMES.map((name): [string, WebStack] => [`examples/${name}.yaml`, example(name)]),
  ...Object.entries(variations),
];

describe('the examples', () => {
  it.each(EXAMPLE_NAMES)('examples/%s.yaml is a valid WebStack', (name) => {
    expect(validateWebStack(example(name))).toEqual([]);
  });
});

describe('renderStack', () => {
  it.each(allStacks)('%s: every object (with the agent and exporter in the database pods) validates against the Kubernetes OpenAPI schemas', async (_name, ws) => {
    const objects = renderStack(ws, { ...inputs, agentImage: 'ghcr.io/webstack-dev/webstack-operator:0.1.0', exporterImage: 'prom/mysqld-exporter:v0.17.2' });
    expect(objects.length).toBeGreaterThan(5);
    for (const object of objects) await validateKubeObject(object);
  });

  it.each(allStacks)('%s: in apply order, in the WebStack namespace, labelled and owned, names unique per kind', (_name, ws) => {
    const objects = renderStack(ws, inputs);
    const ranks = objects.map((o) => (APPLY_ORDER as readonly string[]).indexOf(o.kind));
    expect(ranks.every((r) => r >= 0)).toBe(true);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(objects[0].kind).toBe('Secret');
    const keys = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const o of objects) {
      expect(o.metadata.namespace).toBe(ws.metadata.namespace);
      expect(o.metadata.labels).toMatchObject({
        [LABEL_STACK]: ws.metadata.name, [LABEL_INSTANCE]: ws.metadata.name, [LABEL_MANAGED_BY]: MANAGER, [LABEL_PART_OF]: 'webstack',
      });
      expect(o.metadata.ownerReferences).toEqual([{
        apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStack', name: ws.metadata.name, uid: FIXED_UID, controller: true, blockOwnerDeletion: true,
      }]);
    }
  });

  it('leaves out ownerReferences when the WebStack has no uid yet', () => {
    const ws = example('minimal');
    const objects = renderStack({ ...ws, metadata: { name: ws.metadata.name, namespace: 'x' } }, inputs);
    expect(objects.filter((o) => o.metadata.ownerReferences)).toEqual([]);
    expect(objects.every((o) => o.metadata.namespace === 'x')).toBe(true);
  });

  it('names pods and SRV records in the given cluster domain', () => {
    const objects = renderStack(example('minimal'), { ...inputs, clusterDomain: 'corp.example' });
    const sts = objects.find((o) => o.kind === 'StatefulSet') as Loose;
    const reportHost = sts.spec.template.spec.containers[0].env.find((e: Loose) => e.name === 'REPORT_HOST');
    expect(reportHost.value).toBe('$(POD_NAME).shop-mysql.default.svc.corp.example');
    const haproxyConfig = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'shop-haproxy') as Loose;
    expect(haproxyConfig.data['haproxy.cfg']).toContain('_http._tcp.shop-web.default.svc.corp.example');
  });

  it('is pure: the same input gives the same objects and the input is not modified', () => {
    const ws = example('tls-weighted-backup');
    const before = JSON.stringify(ws);
    expect(renderStack(ws, inputs)).toEqual(renderStack(ws, inputs));
    expect(JSON.stringify(ws)).toBe(before);
  });

  it.each<[string, WebStack, string[]]>([
    ['minimal', example('minimal'), [
      'Secret/shop-haproxy-admin', 'Secret/shop-mysql', 'Secret/shop-mysql-ca', 'Secret/shop-mysql-tls', 'ConfigMap/shop-haproxy', 'ConfigMap/shop-mysql',
      'NetworkPolicy/shop-default-deny', 'NetworkPolicy/shop-allow-dns', 'NetworkPolicy/shop-allow-haproxy',
      'NetworkPolicy/shop-allow-apps', 'NetworkPolicy/shop-allow-mysql',
      'PodDisruptionBudget/shop-haproxy', 'PodDisruptionBudget/shop-mysql',
      'Service/shop-haproxy', 'Service/shop-web', 'Service/shop-mysql', 'Service/shop-mysql-primary', 'Service/shop-mysql-replicas',
      'StatefulSet/shop-mysql', 'Deployment/shop-haproxy', 'Deployment/shop-web',
    ]],
    ['without NetworkPolicies', stack({ networkPolicy: { enabled: false } }), [
      'Secret/shop-haproxy-admin', 'Secret/shop-mysql', 'Secret/shop-mysql-ca', 'Secret/shop-mysql-tls', 'ConfigMap/shop-haproxy', 'ConfigMap/shop-mysql',
      'PodDisruptionBudget/shop-haproxy', 'PodDisruptionBudget/shop-mysql',
      'Service/shop-haproxy', 'Service/shop-web', 'Service/shop-mysql', 'Service/shop-mysql-primary', 'Service/shop-mysql-replicas',
      'StatefulSet/shop-mysql', 'Deployment/shop-haproxy', 'Deployment/shop-web',
    ]],
  ])('renders exactly the objects of a stack: %s', (_name, ws, expected) => {
    expect(renderStack(ws, inputs).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(expected);
  });
});

describe('golden files (UPDATE_GOLDEN=1 rewrites them)', () => {
  const dir = path.resolve('test/render/golden');

  it.each(EXAMPLE_NAMES)('examples/%s.yaml', (name) => {
    const rendered = objectsToYaml(renderStack(example(name), inputs));
    const file = path.join(dir, `${name}.yaml`);
    if (process.env.UPDATE_GOLDEN === '1') {
      mkdirSync(dir, { recursive: true });
      writeFileSync(file, rendered);
    }
    expect(existsSync(file)).toBe(true);
    expect(rendered).toBe(readFileSync(file, 'utf8'));
  });
});

describe('quantities', () => {
  it('are rendered in the form the API server stores, so a child read back equals what would be applied', () => {
    const q = { requests: { cpu: '0.5', memory: '1024Mi' }, limits: { cpu: '1.0', memory: '2048Mi' } };
    const objects = renderStack(stack({
      loadBalancer: { resources: q },
      apps: [{ name: 'web', image: 'x', resources: q }],
      database: { engine: 'mariadb', resources: q, storage: { size: '1024Mi' } },
    }), inputs) as unknown as Loose[];
    const containers = objects.flatMap((o) => (o.spec?.template?.spec?.containers ?? []) as Array<{ resources?: object }>);
    const want = { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '2Gi' } };
    // HAProxy, the app and the database: one container each, all three with these resources.
    expect(containers.map((c) => c.resources)).toEqual([want, want, want]);
    const sts = objects.find((o) => o.kind === 'StatefulSet') as unknown as { spec: { volumeClaimTemplates: Array<{ spec: { resources: { requests: { storage: string } } } }> } };
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('1Gi');
  });
});

describe('service-account tokens', () => {
  it('no rendered pod mounts one: none of them talks to the API', () => {
    const [ws] = withSpec({ apps: [{ name: 'web', image: 'a' }] });
    const objects = renderStack({ ...ws, metadata: { ...ws.metadata, uid: 'u' } }, { ...inputs, credentials: newDatabaseCredentials((n) => new Uint8Array(n)) });
    const templates = objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet')
      .map((o) => (o as unknown as { metadata: { name: string }; spec: { template: { spec: { automountServiceAccountToken?: boolean } } } }));
    expect(templates.length).toBeGreaterThanOrEqual(3);
    for (const t of templates) expect([t.metadata.name, t.spec.template.spec.automountServiceAccountToken]).toEqual([t.metadata.name, false]);
  });
});
