import { describe, expect, it } from '@jest/globals';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { containerKind, planContainer, type PodContext, type ProcessPlan } from '../../../src/sandbox/runtime/container-plan.js';
import { deriveHaproxyConfig } from '../../../src/sandbox/runtime/haproxy-derive.js';
import { deriveExporterConfig, exporterHosts } from '../../../src/sandbox/runtime/exporter-derive.js';
import { exporterContainer, renderExporterConfig } from '../../../src/render/mysqld-exporter.js';
import { FIXED_CREDENTIALS } from '../../render/fixtures.js';
import { expandVars, translatePath, translatePathsIn } from '../../../src/sandbox/runtime/mounts.js';

const mounts = [
  { mountPath: '/var/lib/mysql', hostPath: '/state/volumes/data-db-0' },
  { mountPath: '/etc/mysql/webstack', hostPath: '/state/pods/db-0/volumes/config' },
];

describe('path translation', () => {
  it('maps mounted paths to their volume dirs, the longest mount first', () => {
    expect(translatePath('/var/lib/mysql/data', mounts, '/r')).toBe('/state/volumes/data-db-0/data');
    expect(translatePath('/etc/mysql/webstack/start.sh', mounts, '/r')).toBe('/state/pods/db-0/volumes/config/start.sh');
  });
  it('maps private dirs to the pod rootfs and leaves host programs alone', () => {
    expect(translatePath('/var/run/mysqld/mysqld.sock', mounts, '/r')).toBe('/r/var/run/mysqld/mysqld.sock');
    expect(translatePath('/usr/sbin/mariadbd', mounts, '/r')).toBe('/usr/sbin/mariadbd');
    expect(translatePath('relative/x', mounts, '/r')).toBe('relative/x');
  });
  it('translates paths inside flags and shell lines', () => {
    expect(translatePathsIn('--datadir=/var/lib/mysql/data', mounts, '/r')).toBe('--datadir=/state/volumes/data-db-0/data');
    expect(translatePathsIn('sh /etc/mysql/webstack/start.sh', mounts, '/r')).toBe('sh /state/pods/db-0/volumes/config/start.sh');
  });
  it('expands $(VAR) and keeps $$(VAR) literal', () => {
    expect(expandVars('$(A)-$(B)-$$(A)', { A: 'x' })).toBe('x-$(B)-$(A)');
  });
});

const which = (p: string) => ({ haproxy: '/usr/sbin/haproxy', mariadbd: '/usr/sbin/mariadbd', mysqld: '/usr/sbin/mysqld', sh: '/bin/sh', 'mariadb-install-db': '/usr/bin/mariadb-install-db' } as Record<string, string>)[p];
const pod: V1Pod = { metadata: { name: 'shop-mysql-0', namespace: 'shop', labels: { role: 'replica' } }, spec: { containers: [] } };
const ctx = (extra: Partial<PodContext> = {}): PodContext => ({
  pod, podIP: '127.10.0.7', rootfs: '/r', volumeDirs: { data: '/state/volumes/data-db-0', config: '/state/cfg' },
  configMaps: {}, secrets: { creds: { password: 's3cr/et=' } }, dns: { address: '127.0.0.1:5353', search: ['shop.svc.cluster.local'] },
  demoAppPath: '/repo/examples/demo-app/server.js', which, mysqldIsMariadb: true, hostPath: '/usr/bin:/bin', ...extra,
});

describe('planContainer', () => {
  it('tells images apart', () => {
    expect(containerKind('haproxy:3.2')).toBe('haproxy');
    expect(containerKind('docker.io/library/mariadb:11.4')).toBe('database');
    expect(containerKind('mysql:8.4')).toBe('database');
    expect(containerKind('ghcr.io/acme/shop:1.4')).toBe('app');
    expect(containerKind('localhost:5000/haproxy')).toBe('haproxy');
    expect(containerKind('ghcr.io/webstack-dev/webstack-operator:0.1.0')).toBe('operator');
    expect(containerKind('prom/mysqld-exporter:v0.17.2')).toBe('exporter');
  });

  it('runs a database container\'s start script with translated paths, the local server and the pod address', () => {
    const c: V1Container = {
      name: 'mysql', image: 'mariadb:11.4', command: ['sh', '/etc/mysql/webstack/start.sh'],
      volumeMounts: [{ name: 'data', mountPath: '/var/lib/mysql' }, { name: 'config', mountPath: '/etc/mysql/webstack' }],
      env: [
        { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'DATA_DIR', value: '/var/lib/mysql/data' },
        { name: 'SOCKET', value: '/var/run/mysqld/mysqld.sock' },
        { name: 'BIND_ADDRESS', value: '0.0.0.0' },
        { name: 'ADMIN_PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
        { name: 'INSTALL_DB', value: 'mariadb-install-db' },
        { name: 'ROLE', valueFrom: { fieldRef: { fieldPath: "metadata.labels['role']" } } },
      ],
    };
    const plan = planContainer(c, ctx()) as ProcessPlan;
    expect(plan.command).toBe('/bin/sh');
    expect(plan.args).toEqual(['/state/cfg/start.sh']);
    expect(plan.env).toMatchObject({
      POD_NAME: 'shop-mysql-0', DATA_DIR: '/state/volumes/data-db-0/data', SOCKET: '/r/var/run/mysqld/mysqld.sock',
      BIND_ADDRESS: '127.10.0.7', ADMIN_PASSWORD: 's3cr/et=', MYSQLD: '/usr/sbin/mariadbd', INSTALL_DB: '/usr/bin/mariadb-install-db', ROLE: 'replica',
    });
  });

  it('refuses engine mysql when the only mysqld is MariaDB, with the message the user sees', () => {
    const plan = planContainer({ name: 'mysql', image: 'mysql:8.4', command: ['sh', 'x'] }, ctx());
    expect(plan).toEqual({ kind: 'database', reason: 'MysqldNotFound', error: 'engine mysql needs mysqld on PATH; use engine: mariadb in the sandbox' });
  });

  it('names the missing Secret key instead of starting', () => {
    const plan = planContainer({ name: 'a', image: 'x', env: [{ name: 'P', valueFrom: { secretKeyRef: { name: 'creds', key: 'nope' } } }] }, ctx());
    expect(plan).toMatchObject({ reason: 'CreateContainerConfigError', error: 'env P: Secret creds key nope not found' });
  });

  it('runs haproxy in the foreground on a derived copy of the mounted config', () => {
    const c: V1Container = { name: 'haproxy', image: 'haproxy:3.2', args: ['-f', '/usr/local/etc/haproxy/haproxy.cfg'], volumeMounts: [{ name: 'config', mountPath: '/usr/local/etc/haproxy' }] };
    const plan = planContainer(c, ctx()) as ProcessPlan;
    expect(plan.command).toBe('/usr/sbin/haproxy');
    expect(plan.args).toEqual(['-db', '-f', '/r/haproxy.cfg']);
    expect(plan.haproxyConfig).toEqual({ source: '/state/cfg/haproxy.cfg', target: '/r/haproxy.cfg' });
    // The official image's STOPSIGNAL: a soft stop that lets open requests finish.
    expect(plan.stopSignal).toBe('SIGUSR1');
  });

  it('runs any other image as the demo app on the pod address, with the sandbox DNS', () => {
    const c: V1Container = { name: 'web', image: 'ghcr.io/acme/shop:1.4', ports: [{ containerPort: 8080 }], env: [{ name: 'DATABASE_HOST', value: 'shop-mysql-primary' }] };
    const plan = planContainer(c, ctx()) as ProcessPlan;
    expect(plan.command).toBe(process.execPath);
    expect(plan.args).toEqual(['/repo/examples/demo-app/server.js']);
    expect(plan.env).toMatchObject({ HOST: '127.10.0.7', PORT: '8080', POD_NAME: 'shop-mysql-0', DATABASE_HOST: 'shop-mysql-primary', SANDBOX_DNS: '127.0.0.1:5353', SANDBOX_DNS_SEARCH: 'shop.svc.cluster.local' });
  });
});

describe('planContainer for the operator image', () => {
  const mountHost = { exists: (p: string) => ['/tmp', '/run', '/var/run'].includes(p), realpath: (p: string) => p, isRoot: true, unshare: '/usr/bin/unshare', shell: '/bin/sh' };
  const operatorCtx = (extra: Partial<PodContext> = {}) => ctx({
    operatorCommand: { command: '/usr/bin/node', args: ['/repo/dist/cli.js'] }, mountHost,
    volumeDirs: { api: '/state/pods/ab/v/api', tmp: '/state/pods/ab/v/tmp' },
    serviceEnv: { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: '6443' }, ...extra,
  });
  const operator: V1Container = {
    name: 'operator', image: 'ghcr.io/webstack-dev/webstack-operator:0.1.0', args: ['--leader-elect=true', '--lease-name=$(POD_NAME)'],
    env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
    volumeMounts: [{ name: 'api', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }, { name: 'tmp', mountPath: '/tmp' }],
  };
  const tail = (plan: ProcessPlan) => plan.args.slice(plan.args.indexOf('sh') + 1);

  it('runs the entrypoint `webstack-operator run` with the container\'s args and its own bind address, in a mount namespace', () => {
    const plan = planContainer(operator, operatorCtx()) as ProcessPlan;
    expect(plan.kind).toBe('operator');
    expect(plan.command).toBe('/usr/bin/unshare');
    expect(tail(plan)).toEqual(['/usr/bin/node', '/repo/dist/cli.js', 'run', '--leader-elect=true', '--lease-name=shop-mysql-0', '--bind-address=127.10.0.7']);
    expect(plan.args.join(' ')).toContain("mount --bind '/state/pods/ab/v/api' '/var/run/secrets/kubernetes.io/serviceaccount'");
  });

  it('gives the container the kubernetes Service variables, under its own, with paths as the container sees them', () => {
    const plan = planContainer({ ...operator, env: [...operator.env!, { name: 'TMPDIR', value: '/tmp' }] }, operatorCtx()) as ProcessPlan;
    expect(plan.env).toMatchObject({ KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: '6443', POD_NAME: 'shop-mysql-0', TMPDIR: '/tmp' });
  });

  it('lets a command replace the entrypoint: the operator program still maps to how this node starts it', () => {
    const own = planContainer({ ...operator, command: ['webstack-operator', 'agent'], args: [] }, operatorCtx()) as ProcessPlan;
    expect(tail(own)).toEqual(['/usr/bin/node', '/repo/dist/cli.js', 'agent', '--bind-address=127.10.0.7']);
    const other = planContainer({ ...operator, command: ['sh', '-c', 'sleep 1'], args: [] }, operatorCtx()) as ProcessPlan;
    expect(tail(other)).toEqual(['/bin/sh', '-c', 'sleep 1', '--bind-address=127.10.0.7']);
  });

  it('resolves the pod\'s and the node\'s addresses and the node name from field references', () => {
    const refs = ['status.podIP', 'status.hostIP', 'spec.nodeName'].map((fieldPath) => ({ name: fieldPath.split('.')[1].toUpperCase(), valueFrom: { fieldRef: { fieldPath } } }));
    const plan = planContainer({ ...operator, env: refs }, operatorCtx({ pod: { ...pod, spec: { containers: [], nodeName: 'node-a' } } })) as ProcessPlan;
    expect(plan.env).toMatchObject({ PODIP: '127.10.0.7', HOSTIP: '127.0.0.1', NODENAME: 'node-a' });
  });

  it('refuses to run without a way to start the operator, saying why', () => {
    expect(planContainer(operator, ctx())).toMatchObject({ kind: 'operator', reason: 'OperatorNotConfigured' });
    expect(planContainer({ ...operator, volumeMounts: [{ name: 'tmp', mountPath: '/opt/x' }] }, operatorCtx())).toMatchObject({ reason: 'CreateContainerError', error: expect.stringContaining('/opt/x') });
  });
});

describe('planContainer for the mysqld-exporter image', () => {
  const mountHost = { exists: (p: string) => p === '/etc/hosts', realpath: (p: string) => p, isRoot: true, unshare: '/usr/bin/unshare', shell: '/bin/sh' };
  const exporterCtx = (extra: Partial<PodContext> = {}) => ctx({
    mountHost, volumeDirs: { 'mysqld-exporter': '/state/pods/ab/v/exporter' },
    which: (p) => (p === 'prometheus-mysqld-exporter' ? '/usr/bin/prometheus-mysqld-exporter' : undefined), ...extra,
  });
  const rendered = exporterContainer('prom/mysqld-exporter:v0.17.2', {}) as V1Container;

  it('runs Debian\'s exporter with the rendered args: its my.cnf derived into the pod, listening on the pod address, localhost in its own /etc/hosts', () => {
    const plan = planContainer(rendered, exporterCtx()) as ProcessPlan;
    expect(plan.kind).toBe('exporter');
    expect(plan.command).toBe('/usr/bin/unshare');
    expect(plan.args.slice(plan.args.indexOf('sh') + 1)).toEqual([
      '/usr/bin/prometheus-mysqld-exporter', '--config.my-cnf=/r/my.cnf', '--web.listen-address=127.10.0.7:9104',
    ]);
    expect(plan.args.join(' ')).toContain("mount --bind '/r/hosts' '/etc/hosts'");
    expect(plan.exporterConfig).toEqual({ source: '/state/pods/ab/v/exporter/my.cnf', target: '/r/my.cnf', hostsFile: '/r/hosts' });
  });

  it('says what is missing instead of starting', () => {
    expect(planContainer(rendered, exporterCtx({ which: () => undefined }))).toMatchObject({ kind: 'exporter', reason: 'MysqldExporterNotFound' });
    expect(planContainer(rendered, exporterCtx({ mountHost: undefined }))).toMatchObject({ reason: 'CreateContainerError', error: expect.stringContaining('/etc/hosts') });
    expect(planContainer({ ...rendered, args: [] }, exporterCtx())).toMatchObject({ reason: 'CreateContainerError', error: expect.stringContaining('--config.my-cnf') });
  });

  it('derives the my.cnf: the files it names are the pod\'s, the account, password and host as rendered', () => {
    const derived = deriveExporterConfig(renderExporterConfig(FIXED_CREDENTIALS), [{ mountPath: '/etc/mysqld-exporter', hostPath: '/s/exp' }], '/r');
    expect(derived.split('\n')).toEqual([
      '[client]', 'user = webstack-exporter', `password = ${FIXED_CREDENTIALS.exporterPassword}`, 'host = localhost', 'port = 3306', 'ssl-ca = /s/exp/ca.crt', '',
    ]);
    expect(deriveExporterConfig('password = /not/a/path\nsocket=/var/run/mysqld/mysqld.sock', [], '/r')).toBe('password = /not/a/path\nsocket=/r/var/run/mysqld/mysqld.sock');
    expect(exporterHosts('127.10.0.7')).toBe('127.10.0.7 localhost\n');
  });
});

describe('deriveHaproxyConfig', () => {
  it('binds to the pod address, uses the sandbox DNS and moves runtime paths into the pod', () => {
    const rendered = [
      'global', '  stats socket /tmp/haproxy.sock mode 600 level operator', 'resolvers cluster', '  parse-resolv-conf',
      'frontend web', '  bind :8080', '  bind *:8443 ssl crt /etc/haproxy/certs/tls.pem alpn h2,http/1.1', '  monitor-uri /healthz',
      'frontend stats', '  bind 0.0.0.0:8404', '  bind 127.0.0.1:9999',
    ].join('\n');
    const out = deriveHaproxyConfig(rendered, '127.10.0.9', '127.0.0.1:5353', [{ mountPath: '/etc/haproxy/certs', hostPath: '/s/tls' }], '/r').split('\n');
    expect(out).toEqual([
      'global', '  stats socket /r/tmp/haproxy.sock mode 600 level operator', 'resolvers cluster', '  nameserver sandbox 127.0.0.1:5353',
      'frontend web', '  bind 127.10.0.9:8080', '  bind 127.10.0.9:8443 ssl crt /s/tls/tls.pem alpn h2,http/1.1', '  monitor-uri /healthz',
      'frontend stats', '  bind 127.10.0.9:8404', '  bind 127.0.0.1:9999',
    ]);
  });
});
