/**
 * `helm install`, `upgrade` and `uninstall` with the real helm binary against the in-memory API
 * server. (A WebStack becoming Ready needs the running operator: that is the integration tests' job.)
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startApiServer, type RunningApiServer } from '../../src/sandbox/apiserver/index.js';
import { helmPath, kubectlPath } from '../../src/sandbox/cli-tools.js';
import { CHART } from './chart.js';

type Run = { status: number; stdout: string; stderr: string };

let server: RunningApiServer;
let dir = '';
let kubeconfig = '';

/** Asynchronous on purpose: the API server answers from this very process. */
function run(binary: string, args: string[], input = ''): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(binary, [...args, '--kubeconfig', kubeconfig], { encoding: 'utf8', timeout: 90000, env: { ...process.env, HELM_CACHE_HOME: path.join(dir, 'cache'), HELM_CONFIG_HOME: path.join(dir, 'config'), HELM_DATA_HOME: path.join(dir, 'data') } }, (err, stdout, stderr) => {
      resolve({ status: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
    child.stdin?.end(input);
  });
}
const helm = (...args: string[]) => run(helmPath(), args);
const kubectl = (args: string[], input?: string) => run(kubectlPath(), args, input);
const ok = (r: Run) => ({ status: r.status, stderr: r.stderr });

beforeAll(async () => {
  server = await startApiServer();
  dir = mkdtempSync(path.join(os.tmpdir(), 'webstack-helm-install-'));
  kubeconfig = path.join(dir, 'kubeconfig');
  server.writeKubeconfig(kubeconfig);
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('helm install / upgrade / uninstall against the in-memory API server', () => {
  it('installs the CRD, RBAC and the operator Deployment', async () => {
    const installed = await helm('install', 'webstack-operator', CHART, '--namespace', 'webstack-system', '--create-namespace');
    expect(ok(installed)).toEqual({ status: 0, stderr: '' });
    expect(installed.stdout).toMatch(/STATUS: deployed/);
    expect(installed.stdout).toMatch(/kubectl get ws/);
    expect((await kubectl(['wait', '--for=condition=Established', '--timeout=30s', 'crd/webstacks.webstack.dev'])).status).toBe(0);
    const objects = (await kubectl(['get', '-n', 'webstack-system', 'deployment,serviceaccount,role,rolebinding,service,poddisruptionbudget', '-o', 'name'])).stdout;
    for (const name of ['deployment.apps/webstack-operator', 'serviceaccount/webstack-operator', 'role.rbac.authorization.k8s.io/webstack-operator-leader-election', 'service/webstack-operator-metrics', 'poddisruptionbudget.policy/webstack-operator']) {
      expect(objects).toContain(name);
    }
    expect((await kubectl(['get', 'clusterrole/webstack-operator'])).status).toBe(0);
  });

  it('then accepts a WebStack', async () => {
    const ws = { apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStack', metadata: { name: 'shop', namespace: 'default' }, spec: { apps: [{ name: 'web', image: 'ghcr.io/acme/shop:1.4' }] } };
    expect(ok(await kubectl(['apply', '-f', '-'], JSON.stringify(ws)))).toEqual({ status: 0, stderr: '' });
    expect((await kubectl(['get', 'ws', '-n', 'default', '-o', 'name'])).stdout.trim()).toBe('webstack.webstack.dev/shop');
  });

  it('upgrades in place: watchNamespaces swaps the ClusterRole for a Role', async () => {
    expect(ok(await helm('upgrade', 'webstack-operator', CHART, '--namespace', 'webstack-system', '--set', 'watchNamespaces={default}'))).toEqual({ status: 0, stderr: '' });
    expect((await kubectl(['get', '-n', 'default', 'role/webstack-operator'])).status).toBe(0);
    expect((await kubectl(['get', 'clusterrole/webstack-operator'])).status).not.toBe(0);
    const args = (await kubectl(['get', '-n', 'webstack-system', 'deployment/webstack-operator', '-o', 'jsonpath={.spec.template.spec.containers[0].args}'])).stdout;
    expect(args).toContain('--namespace=default');
  });

  it('uninstalls the operator but keeps the CRD and the WebStacks (crds.keep)', async () => {
    expect(ok(await helm('uninstall', 'webstack-operator', '--namespace', 'webstack-system', '--wait=false'))).toMatchObject({ status: 0 });
    expect((await kubectl(['get', '-n', 'webstack-system', 'deployment/webstack-operator'])).status).not.toBe(0);
    expect((await kubectl(['get', 'crd/webstacks.webstack.dev'])).status).toBe(0);
    expect((await kubectl(['get', 'ws', '-n', 'default', '-o', 'name'])).stdout.trim()).toBe('webstack.webstack.dev/shop');
  });
});
