import { describe, expect, it } from '@jest/globals';
import { LABEL_ROLE, ROLE_PRIMARY, ROLE_REPLICA } from '../../src/api/labels.js';
import type { DatabaseSpec } from '../../src/api/types.js';
import { credentialsFromSecretData, SECRET_KEYS } from '../../src/render/credentials.js';
import { renderDatabase } from '../../src/render/database.js';
import { renderServerConfig, renderStartScript } from '../../src/render/mysql-config.js';
import { envOf, find, type Loose } from './find.js';
import { FIXED_CERTIFICATES, FIXED_CREDENTIALS, withSpec } from './fixtures.js';

function render(database: DatabaseSpec = {}, agentImage?: string, exporterImage?: string) {
  const [ws, spec] = withSpec({ database });
  const objects = renderDatabase(ws, spec, FIXED_CREDENTIALS, FIXED_CERTIFICATES, undefined, { agentImage, exporterImage });
  const sts = find(objects, 'StatefulSet', 'shop-mysql');
  return { objects, spec, sts, pod: sts.spec.template.spec, container: sts.spec.template.spec.containers[0] };
}

describe('renderDatabase', () => {
  it('renders the Secret, ConfigMap, three Services, the StatefulSet and the PodDisruptionBudget', () => {
    const { objects } = render();
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Secret/shop-mysql', 'Secret/shop-mysql-ca', 'Secret/shop-mysql-tls', 'ConfigMap/shop-mysql', 'Service/shop-mysql', 'Service/shop-mysql-primary',
      'Service/shop-mysql-replicas', 'StatefulSet/shop-mysql', 'PodDisruptionBudget/shop-mysql',
    ]);
  });

  it('database.tls.issuerRef: no TLS Secrets of its own (cert-manager writes shop-mysql-tls), the pods mount the same Secret', () => {
    const [ws, spec] = withSpec({ database: { tls: { issuerRef: { name: 'db-ca' } } } });
    const objects = renderDatabase(ws, spec, FIXED_CREDENTIALS, undefined);
    expect(objects.filter((o) => o.kind === 'Secret').map((o) => o.metadata.name)).toEqual(['shop-mysql']);
    const volumes = find(objects, 'StatefulSet', 'shop-mysql').spec.template.spec.volumes as Loose[];
    expect(volumes).toContainEqual(expect.objectContaining({ secret: expect.objectContaining({ secretName: 'shop-mysql-tls' }) }));
    // Certificates of both kinds, or of neither, is a caller's mistake, not a stack without TLS.
    expect(() => renderDatabase(ws, spec, FIXED_CREDENTIALS, FIXED_CERTIFICATES)).toThrow('the database certificates come from cert-manager (database.tls.issuerRef)');
    const [plain, plainSpec] = withSpec({});
    expect(() => renderDatabase(plain, plainSpec, FIXED_CREDENTIALS, undefined)).toThrow('the database certificates come from the operator');
  });

  it('stores the given credentials unchanged in the Secret', () => {
    const secret = find(render().objects, 'Secret', 'shop-mysql');
    expect(secret.type).toBe('Opaque');
    expect(credentialsFromSecretData(secret.data)).toEqual(FIXED_CREDENTIALS);
  });

  it('stores the CA and its key apart from the server certificate, key and CA bundle the pods mount', () => {
    const { objects, pod, container } = render();
    const text = (o: Loose) => Object.fromEntries(Object.entries(o.data as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
    const ca = find(objects, 'Secret', 'shop-mysql-ca');
    const tls = find(objects, 'Secret', 'shop-mysql-tls');
    expect(text(ca)).toEqual({ 'ca.crt': FIXED_CERTIFICATES.caBundle, 'ca.key': FIXED_CERTIFICATES.ca.privateKey });
    expect(tls.type).toBe('kubernetes.io/tls');
    expect(text(tls)).toEqual({
      'tls.crt': FIXED_CERTIFICATES.server.certificate, 'tls.key': FIXED_CERTIFICATES.server.privateKey, 'ca.crt': FIXED_CERTIFICATES.caBundle,
    });
    expect(pod.volumes).toContainEqual({ name: 'database-tls', secret: { secretName: 'shop-mysql-tls', defaultMode: 0o440 } });
    expect(container.volumeMounts).toContainEqual({ name: 'database-tls', mountPath: '/etc/mysql/tls', readOnly: true });
    expect(envOf(container).TLS_DIR.value).toBe('/etc/mysql/tls');
    expect(pod.volumes.some((v: Loose) => v.secret?.secretName === 'shop-mysql-ca')).toBe(false);
  });

  it('puts the rendered server config and start script in the ConfigMap', () => {
    const { objects, spec } = render({ engine: 'mariadb' });
    const cm = find(objects, 'ConfigMap', 'shop-mysql');
    expect(cm.data).toEqual({ 'webstack.cnf': renderServerConfig(spec.database), 'start.sh': renderStartScript('mariadb') });
  });

  it.each<[string, DatabaseSpec, (r: ReturnType<typeof render>) => unknown, unknown]>([
    ['default image', {}, (r) => r.container.image, 'mysql:8.4'],
    ['engine mariadb image', { engine: 'mariadb' }, (r) => r.container.image, 'mariadb:11.4'],
    ['image override', { image: 'mysql:8.4.3' }, (r) => r.container.image, 'mysql:8.4.3'],
    ['mysql probe tool', {}, (r) => r.container.readinessProbe.exec.command[2], expect.stringContaining('exec mysqladmin ')],
    ['mariadb probe tool', { engine: 'mariadb' }, (r) => r.container.readinessProbe.exec.command[2], expect.stringContaining('exec mariadb-admin ')],
    ['replicas default', {}, (r) => r.sts.spec.replicas, 3],
    ['replicas', { replicas: 5 }, (r) => r.sts.spec.replicas, 5],
    ['storage default', {}, (r) => r.sts.spec.volumeClaimTemplates[0].spec, { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } }, volumeMode: 'Filesystem' }],
    ['storage size and class', { storage: { size: '50Gi', storageClassName: 'fast' } }, (r) => r.sts.spec.volumeClaimTemplates[0].spec,
      { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '50Gi' } }, storageClassName: 'fast', volumeMode: 'Filesystem' }],
    ['no resources by default', {}, (r) => r.container.resources, undefined],
    ['resources', { resources: { limits: { memory: '1Gi' } } }, (r) => r.container.resources, { limits: { memory: '1Gi' } }],
  ])('%s', (_name, database, pick, expected) => {
    expect(pick(render(database))).toEqual(expected);
  });

  it('runs the start script from the ConfigMap with the pod name, report host and admin account from the Secret', () => {
    const { container, pod, sts } = render();
    expect(container.command).toEqual(['sh', '/etc/mysql/webstack/start.sh']);
    const env = envOf(container);
    expect(env.POD_NAME.valueFrom).toEqual({ fieldRef: { fieldPath: 'metadata.name' } });
    expect(env.REPORT_HOST.value).toBe('$(POD_NAME).shop-mysql.shop.svc.cluster.local');
    expect(env.ADMIN_USER.valueFrom).toEqual({ secretKeyRef: { name: 'shop-mysql', key: SECRET_KEYS.adminUser } });
    expect(env.ADMIN_PASSWORD.valueFrom).toEqual({ secretKeyRef: { name: 'shop-mysql', key: SECRET_KEYS.adminPassword } });
    expect(pod.volumes).toContainEqual({ name: 'config', configMap: { name: 'shop-mysql', defaultMode: 0o444 } });
    expect(JSON.stringify(sts)).not.toContain(FIXED_CREDENTIALS.adminPassword);
  });

  it('runs the agent beside the server when given its image: same user and volume, shared process namespace, the Secret\'s admin account', () => {
    expect(render().pod.containers.map((c: Loose) => c.name)).toEqual(['mysql']);
    expect(render().pod.shareProcessNamespace).toBeUndefined();
    const { pod, container, sts } = render({}, 'ghcr.io/webstack-dev/webstack-operator:0.1.0');
    const agent = pod.containers[1];
    expect(pod.shareProcessNamespace).toBe(true);
    expect(agent).toMatchObject({
      name: 'agent', image: 'ghcr.io/webstack-dev/webstack-operator:0.1.0', command: ['webstack-operator', 'agent'],
      args: ['--port=3390', '--data-dir=/var/lib/mysql/data'], ports: [{ name: 'agent', containerPort: 3390, protocol: 'TCP' }],
    });
    expect(agent.volumeMounts).toContainEqual({ name: 'data', mountPath: '/var/lib/mysql' });
    expect(agent.securityContext).toEqual(container.securityContext);
    expect(envOf(agent).ADMIN_PASSWORD.valueFrom).toEqual({ secretKeyRef: { name: 'shop-mysql', key: SECRET_KEYS.adminPassword } });
    expect(JSON.stringify(sts)).not.toContain(FIXED_CREDENTIALS.adminPassword);
  });

  it('runs mysqld-exporter beside the server when given its image: its own account over TLS to localhost, the password only in its Secret', () => {
    expect(render().objects.some((o) => o.metadata.name === 'shop-mysql-exporter')).toBe(false);
    const { objects, pod, container, sts } = render({}, 'ghcr.io/webstack-dev/webstack-operator:0.1.0', 'prom/mysqld-exporter:v0.17.2');
    expect(pod.containers.map((c: Loose) => c.name)).toEqual(['mysql', 'agent', 'mysqld-exporter']);
    const exporter = pod.containers[2];
    expect(exporter).toMatchObject({
      image: 'prom/mysqld-exporter:v0.17.2', args: ['--config.my-cnf=/etc/mysqld-exporter/my.cnf', '--web.listen-address=:9104'],
      ports: [{ name: 'mysql-metrics', containerPort: 9104, protocol: 'TCP' }],
      volumeMounts: [{ name: 'mysqld-exporter', mountPath: '/etc/mysqld-exporter', readOnly: true }],
    });
    expect(exporter.securityContext).toEqual(container.securityContext);
    expect(exporter.readinessProbe).toBeUndefined();
    // Its configuration and the CA bundle; never the server's key.
    expect(pod.volumes).toContainEqual({
      name: 'mysqld-exporter',
      projected: {
        defaultMode: 0o440,
        sources: [
          { secret: { name: 'shop-mysql-exporter', items: [{ key: 'my.cnf', path: 'my.cnf' }] } },
          { secret: { name: 'shop-mysql-tls', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        ],
      },
    });
    const secret = find(objects, 'Secret', 'shop-mysql-exporter');
    expect(Buffer.from(secret.data['my.cnf'], 'base64').toString()).toBe([
      '[client]', 'user = webstack-exporter', `password = ${FIXED_CREDENTIALS.exporterPassword}`, 'host = localhost', 'port = 3306',
      'ssl-ca = /etc/mysqld-exporter/ca.crt', '',
    ].join('\n'));
    expect(JSON.stringify(sts)).not.toContain(FIXED_CREDENTIALS.exporterPassword);
  });

  it('starts every pod in parallel, without a role label, as the images mysql user, spread over nodes', () => {
    const { sts, pod, container } = render();
    expect(sts.spec.podManagementPolicy).toBe('Parallel');
    expect(sts.spec.serviceName).toBe('shop-mysql');
    expect(sts.spec.template.metadata.labels[LABEL_ROLE]).toBeUndefined();
    expect(sts.spec.selector.matchLabels[LABEL_ROLE]).toBeUndefined();
    expect(pod.securityContext).toMatchObject({ runAsUser: 999, fsGroup: 999, runAsNonRoot: true });
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    const term = pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm;
    expect(term).toEqual({ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: sts.spec.selector.matchLabels } });
  });

  it('probes only the local server, with liveness more lenient than readiness', () => {
    const { container } = render();
    const script = container.readinessProbe.exec.command[2] as string;
    expect(script).toContain('--socket=/var/lib/mysql/data/mysqld.sock');
    expect(script).not.toMatch(/primary|--host/);
    const tolerance = (p: Loose) => p.periodSeconds * p.failureThreshold;
    expect(tolerance(container.livenessProbe)).toBeGreaterThan(tolerance(container.readinessProbe));
    expect(tolerance(container.startupProbe)).toBeGreaterThanOrEqual(300);
  });

  it('checks a starting server every second, so a restarted instance is Ready about a second after it answers, for as long as ten minutes', () => {
    const { container } = render();
    // The first check comes as the container starts, before the server answers: the next one decides.
    expect(container.startupProbe.periodSeconds).toBe(1);
    expect(container.startupProbe.periodSeconds * container.startupProbe.failureThreshold).toBe(600);
  });

  it('selects the primary and the replicas by the role label the operator moves; the headless Service publishes unready pods', () => {
    const { objects, sts } = render();
    const selector = sts.spec.selector.matchLabels;
    const headless = find(objects, 'Service', 'shop-mysql');
    expect(headless.spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true, selector });
    expect(find(objects, 'Service', 'shop-mysql-primary').spec.selector).toEqual({ ...selector, [LABEL_ROLE]: ROLE_PRIMARY });
    expect(find(objects, 'Service', 'shop-mysql-replicas').spec.selector).toEqual({ ...selector, [LABEL_ROLE]: ROLE_REPLICA });
    expect(find(objects, 'PodDisruptionBudget', 'shop-mysql').spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: selector } });
  });

  it('rolls the pods when the config or script changes, and only then', () => {
    const checksum = (database: DatabaseSpec) => render(database).sts.spec.template.metadata.annotations['webstack.dev/config-checksum'];
    expect(checksum({})).toMatch(/^[0-9a-f]{64}$/);
    expect(checksum({ replicas: 5, storage: { size: '1Gi' } })).toBe(checksum({}));
    expect(checksum({ replication: { mode: 'async' } })).not.toBe(checksum({}));
    expect(checksum({ engine: 'mariadb' })).not.toBe(checksum({}));
  });
});
