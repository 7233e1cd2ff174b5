import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { helmPath, kubectlPath } from '../../../src/sandbox/cli-tools.js';
import { startHarness, type Harness } from './harness.js';

// helm's release storage and --create-namespace go through Go typed clients, which send protobuf.
const chart = new URL('../../../deploy/helm/webstack-operator', import.meta.url).pathname;

let h: Harness;
let dir: string;
let kubeconfig: string;

function run(bin: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(bin, args, { timeout: 90000, env: { ...process.env, HOME: dir, KUBECONFIG: kubeconfig, HELM_CACHE_HOME: path.join(dir, 'helm-cache'), HELM_CONFIG_HOME: path.join(dir, 'helm-config'), HELM_DATA_HOME: path.join(dir, 'helm-data') } }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}
const kubectl = (args: string[]) => run(kubectlPath(), ['--cache-dir', path.join(dir, 'cache'), ...args]);

beforeAll(async () => {
  h = await startHarness();
  dir = mkdtempSync(path.join(tmpdir(), 'apiserver-helm-'));
  kubeconfig = path.join(dir, 'kubeconfig');
  h.server.writeKubeconfig(kubeconfig);
});

afterAll(async () => {
  await h.server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Go typed clients (protobuf bodies)', () => {
  it('kubectl create namespace / secret / configmap and delete them', async () => {
    expect(await kubectl(['create', 'namespace', 'typed'])).toMatchObject({ code: 0, stdout: 'namespace/typed created\n' });
    expect(await kubectl(['-n', 'typed', 'create', 'secret', 'generic', 's', '--from-literal=password=hunter2'])).toMatchObject({ code: 0, stdout: 'secret/s created\n' });
    expect(await kubectl(['-n', 'typed', 'create', 'configmap', 'c', '--from-literal=k=v'])).toMatchObject({ code: 0 });
    const secret = await h.core.readNamespacedSecret({ namespace: 'typed', name: 's' });
    expect(Buffer.from(secret.data!.password, 'base64').toString()).toBe('hunter2');
    expect((await h.core.readNamespacedConfigMap({ namespace: 'typed', name: 'c' })).data).toEqual({ k: 'v' });
    expect(await kubectl(['-n', 'typed', 'delete', 'secret', 's'])).toMatchObject({ code: 0 });
  });

  it('kubectl create deployment / service: zero values Go always sends are not taken as set', async () => {
    expect(await kubectl(['-n', 'typed', 'create', 'deployment', 'web', '--image=web:1', '--port=8080', '--replicas=0'])).toMatchObject({ code: 0, stdout: 'deployment.apps/web created\n' });
    const d = await h.apps.readNamespacedDeployment({ namespace: 'typed', name: 'web' });
    expect(d.spec!.replicas).toBe(0);
    expect(d.spec!.selector.matchLabels).toEqual({ app: 'web' });
    // Exactly what kube-apiserver stores: the sent fields plus its defaults, none of the zero values.
    expect(d.spec!.template.spec!.containers).toEqual([{
      name: 'web', image: 'web:1', ports: [{ containerPort: 8080, protocol: 'TCP' }], resources: {},
      imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File',
    }]);
    expect(await kubectl(['-n', 'typed', 'create', 'service', 'clusterip', 'web', '--tcp=80:8080'])).toMatchObject({ code: 0 });
    const svc = await h.core.readNamespacedService({ namespace: 'typed', name: 'web' });
    expect(svc.spec!.ports).toEqual([{ name: '80-8080', port: 80, protocol: 'TCP', targetPort: 8080 }]);
    expect(svc.spec!.clusterIP).toMatch(/^10\.96\./);
    expect(await kubectl(['-n', 'typed', 'delete', 'deployment', 'web', '--grace-period=0'])).toMatchObject({ code: 0 });
  });
});

(existsSync(chart) ? describe : describe.skip)('helm and our chart', () => {
  it('install, upgrade and uninstall', async () => {
    const install = await run(helmPath(), ['install', 'wso', chart, '--namespace', 'webstack-system', '--create-namespace', '--timeout', '60s']);
    expect(install.stderr).toBe('');
    expect(install.code).toBe(0);
    const deployments = await h.apps.listNamespacedDeployment({ namespace: 'webstack-system' });
    expect(deployments.items).toHaveLength(1);
    const crd = await h.extensions.readCustomResourceDefinition({ name: 'webstacks.webstack.dev' });
    expect(crd.metadata!.labels?.['app.kubernetes.io/managed-by']).toBe('Helm');
    const releases = await h.core.listNamespacedSecret({ namespace: 'webstack-system', labelSelector: 'owner=helm' });
    expect(releases.items.map((s) => s.metadata!.name)).toEqual(['sh.helm.release.v1.wso.v1']);
    const upgrade = await run(helmPath(), ['upgrade', 'wso', chart, '--namespace', 'webstack-system', '--timeout', '60s']);
    expect(upgrade.code).toBe(0);
    const list = await run(helmPath(), ['list', '-n', 'webstack-system', '-o', 'json']);
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ name: 'wso', revision: '2', status: 'deployed' })]);
    const uninstall = await run(helmPath(), ['uninstall', 'wso', '--namespace', 'webstack-system']);
    expect(uninstall.code).toBe(0);
    expect((await h.apps.listNamespacedDeployment({ namespace: 'webstack-system' })).items).toHaveLength(0);
  });
});
