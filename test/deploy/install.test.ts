/**
 * Installing for real, against the project's in-memory API server, with real kubectl.
 * (A WebStack becoming Ready needs the running operator: that is the integration tests' job.)
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startApiServer, type RunningApiServer } from '../../src/sandbox/apiserver/index.js';
import { MANIFESTS_DIR, MANIFESTS_NAMESPACE } from '../../scripts/generate-manifests.js';
import { kubectlPath } from '../../src/sandbox/cli-tools.js';
import { parseObjects } from './chart.js';

let server: RunningApiServer;
let dir = '';
let kubeconfig = '';

/** Asynchronous on purpose: the API server answers from this very process. */
function kubectl(args: string[], input?: string): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(kubectlPath(), ['--kubeconfig', kubeconfig, ...args], { encoding: 'utf8', timeout: 60000 }, (err, stdout, stderr) => {
      resolve({ status: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
    child.stdin?.end(input ?? '');
  });
}

const webStack = (name: string, apps: unknown[]) => JSON.stringify({ apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStack', metadata: { name, namespace: 'default' }, spec: { apps } });

beforeAll(async () => {
  server = await startApiServer();
  dir = mkdtempSync(path.join(os.tmpdir(), 'webstack-install-'));
  kubeconfig = path.join(dir, 'kubeconfig');
  server.writeKubeconfig(kubeconfig);
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('kubectl apply -f deploy/manifests/ against the in-memory API server', () => {
  it('installs the namespace, CRD, RBAC and operator', async () => {
    const applied = await kubectl(['apply', '-f', MANIFESTS_DIR]);
    expect({ status: applied.status, stderr: applied.stderr }).toEqual({ status: 0, stderr: '' });
    expect((await kubectl(['wait', '--for=condition=Established', '--timeout=30s', 'crd/webstacks.webstack.dev'])).status).toBe(0);
    const deployment = JSON.parse((await kubectl(['get', '-n', MANIFESTS_NAMESPACE, 'deployment/webstack-operator', '-o', 'json'])).stdout) as { spec: { replicas: number; template: { spec: { serviceAccountName: string } } } };
    expect(deployment.spec.replicas).toBe(2);
    const names = (await kubectl(['get', 'clusterrole,clusterrolebinding', '-o', 'name'])).stdout;
    expect(names).toContain('clusterrole.rbac.authorization.k8s.io/webstack-operator');
    expect(names).toContain('clusterrolebinding.rbac.authorization.k8s.io/webstack-operator');
    const sa = await kubectl(['get', '-n', MANIFESTS_NAMESPACE, `serviceaccount/${deployment.spec.template.spec.serviceAccountName}`]);
    expect(sa.status).toBe(0);
  });

  it('then accepts the example WebStacks (kubectl get ws lists them) and refuses an invalid one with the field named', async () => {
    const examples = readdirSync('examples').filter((f) => f.endsWith('.yaml')).map((f) => path.join('examples', f));
    expect(examples.length).toBeGreaterThan(0);
    const names: string[] = [];
    for (const file of examples) {
      const objects = parseObjects(readFileSync(file, 'utf8'));
      for (const ns of new Set(objects.map((o) => o.metadata.namespace ?? 'default'))) {
        if (ns !== 'default') await kubectl(['create', 'namespace', ns]);
      }
      const applied = await kubectl(['apply', '-f', file]);
      expect({ file, status: applied.status, stderr: applied.stderr }).toEqual({ file, status: 0, stderr: '' });
      names.push(...objects.map((o) => `${o.metadata.namespace ?? 'default'}/${o.metadata.name}`));
    }
    const listed = await kubectl(['get', 'ws', '--all-namespaces', '-o', 'jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name}{"\\n"}{end}']);
    expect(listed.stdout.trim().split('\n').sort()).toEqual(names.sort());
    const bad = await kubectl(['apply', '-f', '-'], webStack('broken', [{ name: 'web', image: 'x', replicas: -1 }]));
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/replicas/);
  });

  it('applying again changes nothing', async () => {
    const versions = async () => (await kubectl(['get', '-f', MANIFESTS_DIR, '-o', 'jsonpath={range .items[*]}{.kind}/{.metadata.name}={.metadata.resourceVersion}{"\\n"}{end}'])).stdout;
    const before = await versions();
    const again = await kubectl(['apply', '-f', MANIFESTS_DIR]);
    expect(again.status).toBe(0);
    expect(before.split('\n').filter(Boolean).length).toBeGreaterThanOrEqual(10);
    expect(await versions()).toBe(before);
  });
});
