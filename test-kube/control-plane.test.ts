/**
 * The real control plane as the sandbox starts it: the version built from cluster/, the CRD
 * accepted by the real admission (OpenAPI, CEL and its cost limits), bad WebStacks refused
 * naming the field, RBAC enforced, and nothing left running after close.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { kubectlPath } from '../src/sandbox/cli-tools.js';
import { startControlPlane, type ControlPlane } from '../src/sandbox/control-plane/index.js';

const run = promisify(execFile);
let dir: string;
let cp: ControlPlane;
let kubeconfig: string;

async function kubectl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(kubectlPath(), ['--kubeconfig', kubeconfig, ...args], { timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

function processesIn(root: string): number[] {
  return readdirSync('/proc').filter((e) => /^\d+$/.test(e)).filter((pid) => {
    try { return readlinkSync(`/proc/${pid}/cwd`).startsWith(root); } catch { return false; }
  }).map(Number);
}

const webstack = (spec: string) => `apiVersion: webstack.dev/v1alpha1
kind: WebStack
metadata: {name: shop, namespace: default}
spec:
${spec}`;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kube-cp-'));
  cp = await startControlPlane({ dir: path.join(dir, 'cp') });
  kubeconfig = path.join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, cp.kubeconfig());
}, 180_000);

afterAll(async () => {
  await cp?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the real control plane', () => {
  it('serves the Kubernetes version its Go module pins', async () => {
    const pinned = /k8s\.io\/kubernetes (v\S+)/.exec(readFileSync('cluster/kubernetes/go.mod', 'utf8'))![1];
    const version = JSON.parse((await kubectl('version', '-o', 'json')).stdout) as { serverVersion: { gitVersion: string; minor: string } };
    expect(version.serverVersion.gitVersion).toBe(pinned);
  });

  it('accepts the WebStack CRD (schema, CEL rules and their cost) and establishes it', async () => {
    const applied = await kubectl('apply', '-f', 'crds/webstack.yaml');
    expect(applied).toMatchObject({ code: 0, stderr: '' });
    expect((await kubectl('wait', '--for=condition=Established', '--timeout=60s', 'crd/webstacks.webstack.dev')).code).toBe(0);
  });

  it('refuses bad WebStacks naming the field, and accepts every example', async () => {
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, webstack('  apps: [{name: web, image: x, replicas: -1}]\n'));
    const refused = await kubectl('apply', '-f', bad);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('spec.apps[0].replicas');
    writeFileSync(bad, webstack('  apps: [{name: web, image: x}]\n  database: {replicas: 3, replica: 2}\n'));
    const unknown = await kubectl('apply', '--validate=strict', '-f', bad);
    expect(unknown.stderr).toMatch(/unknown field "spec.database.replica"/);
    for (const example of readdirSync('examples').filter((f) => f.endsWith('.yaml'))) {
      const ns = /^\s+namespace: (\S+)/m.exec(readFileSync(`examples/${example}`, 'utf8'))?.[1];
      if (ns) await kubectl('create', 'namespace', ns);
      expect({ example, ...(await kubectl('apply', '--dry-run=server', '-f', `examples/${example}`)) }).toMatchObject({ example, code: 0 });
    }
  });

  it('enforces RBAC: a service account with no role is forbidden', async () => {
    expect((await kubectl('create', 'serviceaccount', 'nobody')).code).toBe(0);
    const canI = await kubectl('auth', 'can-i', 'list', 'webstacks', '--as', 'system:serviceaccount:default:nobody');
    expect(canI.stdout.trim()).toBe('no');
    const token = (await kubectl('create', 'token', 'nobody')).stdout.trim();
    // A kubeconfig with the token alone: a client certificate would authenticate first.
    const asNobody = path.join(dir, 'nobody.kubeconfig');
    writeFileSync(asNobody, `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: '${cp.url}', certificate-authority-data: ${Buffer.from(cp.caPem).toString('base64')}}}]
users: [{name: nobody, user: {token: '${token}'}}]
contexts: [{name: c, context: {cluster: c, user: nobody}}]
current-context: c
`);
    const denied = await run(kubectlPath(), ['--kubeconfig', asNobody, 'get', 'secrets', '-n', 'default']).catch((err: { stderr: string }) => err);
    expect((denied as { stderr: string }).stderr).toContain('secrets is forbidden: User "system:serviceaccount:default:nobody" cannot list resource "secrets"');
  });

  it('records writes in the audit log, without bodies', async () => {
    await kubectl('create', 'secret', 'generic', 'audited', '--from-literal=password=s3cr3t-value');
    const lines = readFileSync(cp.auditLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { verb: string; objectRef?: { resource: string; name?: string } });
    expect(lines.some((l) => l.verb === 'create' && l.objectRef?.resource === 'secrets' && l.objectRef.name === 'audited')).toBe(true);
    expect(readFileSync(cp.auditLog, 'utf8')).not.toContain('s3cr3t-value');
    expect(readFileSync(cp.auditLog, 'utf8')).not.toContain(Buffer.from('s3cr3t-value').toString('base64'));
  });

  it('leaves no process behind when closed', async () => {
    const root = path.join(dir, 'cp');
    expect(processesIn(root).length).toBe(4);
    await cp.close();
    expect(processesIn(root)).toEqual([]);
  });
});
