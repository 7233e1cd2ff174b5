import { describe, expect, it } from '@jest/globals';
import { LABEL_TIER } from '../../src/api/labels.js';
import type { AppSpec, WebStackSpec } from '../../src/api/types.js';
import { renderApps } from '../../src/render/apps.js';
import { SECRET_KEYS } from '../../src/render/credentials.js';
import { envOf, find } from './find.js';
import { withSpec } from './fixtures.js';

function render(spec: Partial<WebStackSpec>) {
  const [ws, resolved] = withSpec(spec);
  return renderApps(ws, resolved);
}

function tier(app: Partial<AppSpec>, rest: Partial<WebStackSpec> = {}) {
  const objects = render({ ...rest, apps: [{ name: 'web', image: 'ghcr.io/acme/shop:1.4', ...app }] });
  const deployment = find(objects, 'Deployment', 'shop-web');
  return { deployment, service: find(objects, 'Service', 'shop-web'), container: deployment.spec.template.spec.containers[0] };
}

describe('renderApps', () => {
  it('renders a headless Service and a Deployment per tier', () => {
    const objects = render({ apps: [{ name: 'web', image: 'a' }, { name: 'standby', image: 'b', backup: true }] });
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Service/shop-web', 'Deployment/shop-web', 'Service/shop-standby', 'Deployment/shop-standby',
    ]);
  });

  it('names the Service port http, so the SRV record _http._tcp.shop-web.shop.svc exists', () => {
    const { service, deployment } = tier({ port: 3000 });
    expect(service.spec).toEqual({
      clusterIP: 'None',
      selector: deployment.spec.selector.matchLabels,
      ports: [{ name: 'http', port: 3000, targetPort: 'http', protocol: 'TCP' }],
    });
    expect(deployment.spec.selector.matchLabels[LABEL_TIER]).toBe('web');
  });

  it.each<[string, Partial<AppSpec>, Partial<WebStackSpec>, (t: ReturnType<typeof tier>) => unknown, unknown]>([
    ['image', {}, {}, (t) => t.container.image, 'ghcr.io/acme/shop:1.4'],
    ['replicas default', {}, {}, (t) => t.deployment.spec.replicas, 2],
    ['replicas', { replicas: 7 }, {}, (t) => t.deployment.spec.replicas, 7],
    ['port default', {}, {}, (t) => t.container.ports, [{ name: 'http', containerPort: 8080, protocol: 'TCP' }]],
    ['port', { port: 9000 }, {}, (t) => t.container.ports[0].containerPort, 9000],
    ['health path from the load balancer', {}, { loadBalancer: { healthCheck: { path: '/ready' } } }, (t) => t.container.readinessProbe.httpGet, { path: '/ready', port: 'http' }],
    ['health path of the tier', { healthPath: '/up' }, {}, (t) => t.container.livenessProbe.httpGet, { path: '/up', port: 'http' }],
    ['resources', { resources: { requests: { cpu: '1' } } }, {}, (t) => t.container.resources, { requests: { cpu: '1' } }],
    ['no resources by default', {}, {}, (t) => t.container.resources, undefined],
    ['rolling update never below the desired replicas', {}, {}, (t) => t.deployment.spec.strategy,
      { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } }],
    ['restricted pod security', {}, {}, (t) => t.deployment.spec.template.spec.securityContext,
      { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } }],
    ['restricted container security', {}, {}, (t) => t.container.securityContext,
      { allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] } }],
  ])('%s', (_name, app, rest, pick, expected) => {
    expect(pick(tier(app, rest))).toEqual(expected);
  });

  it('injects the database variables, the password from the Secret, then the user env', () => {
    const { container } = tier({ env: [{ name: 'LOG_LEVEL', value: 'debug' }] }, { database: { databaseName: 'orders', user: 'shopper' } });
    expect(container.env).toEqual([
      { name: 'DATABASE_HOST', value: 'shop-mysql-primary' },
      { name: 'DATABASE_READ_HOST', value: 'shop-mysql-replicas' },
      { name: 'DATABASE_PORT', value: '3306' },
      { name: 'DATABASE_NAME', value: 'orders' },
      { name: 'DATABASE_USER', value: 'shopper' },
      { name: 'DATABASE_PASSWORD', valueFrom: { secretKeyRef: { name: 'shop-mysql', key: SECRET_KEYS.appPassword } } },
      { name: 'DATABASE_SSL_CA', value: '/etc/webstack/database-ca/ca.crt' },
      { name: 'LOG_LEVEL', value: 'debug' },
    ]);
  });

  it('lets a user env entry replace an injected one, without a duplicate name', () => {
    const { container } = tier({ env: [{ name: 'DATABASE_HOST', value: 'proxysql' }] });
    const names = (container.env as { name: string }[]).map((e) => e.name);
    expect(names.filter((n) => n === 'DATABASE_HOST')).toHaveLength(1);
    expect(envOf(container).DATABASE_HOST.value).toBe('proxysql');
  });

  it('mounts the CA bundle of the database Secret at DATABASE_SSL_CA, and nothing else of it', () => {
    const { deployment, container } = tier({});
    expect(container.volumeMounts).toEqual([{ name: 'database-tls', mountPath: '/etc/webstack/database-ca', readOnly: true }]);
    expect(deployment.spec.template.spec.volumes).toEqual([{
      name: 'database-tls', secret: { secretName: 'shop-mysql-tls', items: [{ key: 'ca.crt', path: 'ca.crt' }], defaultMode: 0o444 },
    }]);
  });
});
