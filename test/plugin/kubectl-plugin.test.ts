import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { BACKUP_PLURAL } from '../../src/api/backup-types.js';
import { PLURAL } from '../../src/api/types.js';
import { kubectlPath } from '../../src/sandbox/cli-tools.js';
import { startApiServer, type RunningApiServer } from '../../src/sandbox/apiserver/index.js';

/** The plugin through real kubectl's discovery (a kubectl-webstack executable on PATH) against the sandbox's API server. */
let server: RunningApiServer;
let dir: string;
let api: CustomObjectsApi;
let kc: KubeConfig;
const ns = 'prod';
const stack = { group: 'webstack.dev', version: 'v1alpha1', namespace: ns, plural: PLURAL };

function kubectl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(kubectlPath(), args, { timeout: 60000, env: { ...process.env, HOME: dir, KUBECONFIG: path.join(dir, 'kubeconfig'), PATH: `${path.join(dir, 'bin')}:${process.env.PATH}` } },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'webstack-plugin-'));
  server = await startApiServer({ port: 0 });
  writeFileSync(path.join(dir, 'kubeconfig'), server.kubeconfig());
  // What `npm install -g` links for package.json's bin, run from source.
  const bin = path.join(dir, 'bin', 'kubectl-webstack');
  mkdirSync(path.dirname(bin));
  writeFileSync(bin, `#!/bin/sh\ncd ${JSON.stringify(process.cwd())} && exec node --import @swc-node/register/esm-register src/plugin/main.ts "$@"\n`);
  chmodSync(bin, 0o755);
  for (const file of ['crds/webstack.yaml', 'crds/webstackbackup.yaml']) {
    const res = await fetch(`${server.url}/apis/apiextensions.k8s.io/v1/customresourcedefinitions`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(parse(readFileSync(file, 'utf8'))) });
    expect(res.status).toBe(201);
  }
  kc = new KubeConfig();
  kc.loadFromString(server.kubeconfig());
  api = kc.makeApiClient(CustomObjectsApi);
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: ns } } });
  await api.createNamespacedCustomObject({ ...stack, body: { apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStack', metadata: { name: 'shop' }, spec: { apps: [{ name: 'web', image: 'nginx:1.27' }], database: { replicas: 3 } } } });
  const live = await api.getNamespacedCustomObject({ ...stack, name: 'shop' }) as { metadata: object };
  await api.replaceNamespacedCustomObjectStatus({ ...stack, name: 'shop', body: { ...live, status: {
    observedGeneration: 1, apps: [{ name: 'web', replicas: 2, readyReplicas: 2 }], loadBalancer: { readyReplicas: 2, address: '10.0.0.9' },
    database: { primary: 'shop-mysql-0', instances: [
      { name: 'shop-mysql-0', role: 'primary', ready: true }, { name: 'shop-mysql-1', role: 'replica', ready: true, lagSeconds: 0 },
      { name: 'shop-mysql-2', role: 'quarantined', ready: false, message: 'errant transactions' }],
    lastFailover: { from: 'shop-mysql-1', to: 'shop-mysql-0', reason: 'primary unreachable', startedAt: '2026-12-04T10:00:00Z', durationMs: 1800, kind: 'failover' } },
    backup: { lastSuccessTime: '2026-12-04T06:00:12Z' },
    conditions: [{ type: 'Ready', status: 'False', reason: 'DatabaseDegraded', message: 'shop-mysql-2: quarantined', lastTransitionTime: '2026-12-04T10:00:02Z' }],
  } } });
}, 60000);

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('kubectl webstack (real kubectl, plugin discovery, the sandbox API server)', () => {
  it('kubectl finds the plugin on PATH', async () => {
    const listed = await kubectl(['plugin', 'list']);
    expect(listed.stdout).toContain(path.join(dir, 'bin', 'kubectl-webstack'));
  });

  it('status: the stack as a tree', async () => {
    const run = await kubectl(['webstack', 'status', 'shop', '-n', ns]);
    expect(run).toEqual({ code: 0, stderr: '', stdout: [
      'WebStack prod/shop: Ready=False (DatabaseDegraded)',
      '├─ loadBalancer: 2 ready, address 10.0.0.9',
      '├─ apps',
      '│  └─ web 2/2 ready',
      '├─ database: primary shop-mysql-0',
      '│  ├─ shop-mysql-0  primary  ready',
      '│  ├─ shop-mysql-1  replica  ready  lag 0s',
      '│  └─ shop-mysql-2  quarantined  not ready  errant transactions',
      '├─ last failover: shop-mysql-1 → shop-mysql-0 at 2026-12-04T10:00:00Z in 1.8 s (primary unreachable)',
      '├─ backups: last success 2026-12-04T06:00:12Z',
      '└─ conditions',
      '   └─ Ready=False DatabaseDegraded: shop-mysql-2: quarantined',
      '',
    ].join('\n') });
  });

  it('switchover --to: refuses a pod that is not a ready replica, naming it; requests the switchover for one that is', async () => {
    const refused = await kubectl(['webstack', 'switchover', 'shop', '--to', 'shop-mysql-2', '-n', ns]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe('error: --to shop-mysql-2: it is not ready; only a ready replica can be promoted\n');
    const done = await kubectl(['webstack', 'switchover', 'shop', '--to=shop-mysql-1', '--namespace', ns]);
    expect(done.code).toBe(0);
    const live = await api.getNamespacedCustomObject({ ...stack, name: 'shop' }) as { spec: { database: object } };
    expect(live.spec.database).toMatchObject({ replicas: 3, primary: 'shop-mysql-1' });
  });

  it('backup: creates a WebStackBackup of the stack', async () => {
    const run = await kubectl(['webstack', 'backup', 'shop', '-n', ns]);
    expect(run.stdout).toMatch(/^webstackbackup prod\/shop-manual-\d{14} created\n$/);
    const { items } = await api.listNamespacedCustomObject({ ...stack, plural: BACKUP_PLURAL }) as { items: { metadata: { name: string }; spec: object }[] };
    expect(items.map((b) => [b.metadata.name, b.spec])).toEqual([[run.stdout.split(' ')[1].split('/')[1], { stack: 'shop' }]]);
  });

  it('fence / unfence POD: the stack\'s fenced-instances annotation, refused for the last unfenced instance', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const pod = (name: string) => core.createNamespacedPod({ namespace: ns, body: {
      metadata: { name, labels: { 'webstack.dev/stack': 'shop', 'app.kubernetes.io/component': 'database' } },
      spec: { containers: [{ name: 'c', image: 'mariadb:11.4' }] },
    } });
    for (const i of [0, 1]) await pod(`shop-mysql-${i}`);
    const fenced = async () => ((await api.getNamespacedCustomObject({ ...stack, name: 'shop' })) as { metadata: { annotations?: Record<string, string> } })
      .metadata.annotations?.['webstack.dev/fenced-instances'];

    expect(await kubectl(['webstack', 'fence', 'shop-mysql-0', '-n', ns])).toEqual({ code: 0, stderr: '',
      stdout: 'webstack prod/shop: shop-mysql-0 fenced: no reads are sent to it and it is never promoted until `kubectl webstack unfence shop-mysql-0`. It is the primary: the operator switches over to a replica first.\n' });
    expect(await fenced()).toBe('shop-mysql-0');
    // What another fence would have added (fenceChange is table-tested in fence.test.ts): the last unfenced instance is refused.
    await api.patchNamespacedCustomObject({ ...stack, name: 'shop', body: { metadata: { annotations: { 'webstack.dev/fenced-instances': 'shop-mysql-0,shop-mysql-2' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    expect(await kubectl(['webstack', 'fence', 'shop-mysql-1', '-n', ns])).toEqual({ code: 1, stdout: '',
      stderr: 'error: shop-mysql-1: fencing it would leave no unfenced database instance of prod/shop to be the primary\n' });
    expect(await fenced()).toBe('shop-mysql-0,shop-mysql-2');

    expect(await kubectl(['webstack', 'unfence', 'shop-mysql-0', '-n', ns])).toEqual({ code: 0, stderr: '', stdout: 'webstack prod/shop: shop-mysql-0 unfenced; the operator takes it back into service\n' });
    expect(await fenced()).toBe('shop-mysql-2');
  });

  it('names a missing stack and bad arguments', async () => {
    expect(await kubectl(['webstack', 'status', 'nope', '-n', ns])).toMatchObject({ code: 1, stderr: expect.stringMatching(/^error: .*nope.*not found/) });
    expect(await kubectl(['webstack', 'switchover', 'shop', '-n', ns])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^error: switchover needs --to POD/) });
  });
});
