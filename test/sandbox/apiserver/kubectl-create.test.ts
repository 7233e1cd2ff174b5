/** kubectl commands whose Go clients send protobuf bodies (create role/rolebinding/job, auth can-i), and -o wide tables. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { kubectlPath } from '../../../src/sandbox/cli-tools.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
let dir: string;

function kubectl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(kubectlPath(), ['--kubeconfig', path.join(dir, 'kubeconfig'), '--cache-dir', path.join(dir, 'cache'), ...args], { env: { ...process.env, HOME: dir } }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

beforeAll(async () => {
  h = await startHarness();
  dir = mkdtempSync(path.join(tmpdir(), 'kubectl-create-'));
  writeFileSync(path.join(dir, 'kubeconfig'), h.server.kubeconfig());
});
afterAll(async () => {
  await h.server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('kubectl create and auth can-i', () => {
  it('creates a Role and a RoleBinding', async () => {
    expect(await kubectl(['create', 'role', 'reader', '--verb=get,list', '--resource=pods,deployments.apps'])).toMatchObject({ code: 0 });
    expect(await kubectl(['create', 'rolebinding', 'reader', '--role=reader', '--serviceaccount=default:robot'])).toMatchObject({ code: 0 });
    const binding = await h.kc.makeApiClient(RbacAuthorizationV1Api).readNamespacedRoleBinding({ namespace: 'default', name: 'reader' });
    expect([binding.roleRef, binding.subjects]).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' }, [{ kind: 'ServiceAccount', name: 'robot', namespace: 'default' }]]);
  });

  it('creates a Job, defaulted with its generated selector', async () => {
    const out = await kubectl(['create', 'job', 'once', '--image=busybox:1.36', '-o', 'json']);
    expect(out.code).toBe(0);
    const job = JSON.parse(out.stdout) as { metadata: { uid: string }; spec: { selector: unknown; backoffLimit: number } };
    expect(job.spec).toMatchObject({ backoffLimit: 6, selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': job.metadata.uid } } });
  });

  it('answers kubectl auth can-i', async () => {
    expect(await kubectl(['auth', 'can-i', 'create', 'deployments.apps'])).toMatchObject({ code: 0, stdout: 'yes\n' });
  });

  it('prints the -o wide columns kube prints', async () => {
    await kubectl(['create', 'deployment', 'web', '--image=web:1', '--replicas=0']);
    const out = await kubectl(['get', 'deployment', 'web', '-o', 'wide']);
    expect(out.stdout.split('\n')[0].split(/\s+/)).toEqual(['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR']);
    expect(out.stdout.split('\n')[1].split(/\s+/).slice(-3)).toEqual(['web', 'web:1', 'app=web']);
  });
});

describe('kubectl get tables', () => {
  it('prints the columns of PVCs, PDBs and NetworkPolicies as kube does', async () => {
    const manifest = path.join(dir, 'objects.yaml');
    writeFileSync(manifest, [
      'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\nspec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}',
      'apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web}\nspec: {maxUnavailable: 1, selector: {matchLabels: {app: web}}}',
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: web}\nspec: {podSelector: {matchLabels: {app: web}}}',
    ].join('\n---\n'));
    expect(await kubectl(['apply', '-f', manifest])).toMatchObject({ code: 0 });
    const out = await kubectl(['get', 'pvc/data', 'pdb/web', 'netpol/web']);
    const rows = out.stdout.split('\n').map((l) => l.trim().split(/\s{2,}/).slice(0, -1));
    expect(rows.filter((r) => r.length)).toEqual([
      ['NAME', 'STATUS', 'VOLUME', 'CAPACITY', 'ACCESS MODES', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS'],
      ['persistentvolumeclaim/data', 'Pending', '<unset>'],
      ['NAME', 'MIN AVAILABLE', 'MAX UNAVAILABLE', 'ALLOWED DISRUPTIONS'],
      ['poddisruptionbudget.policy/web', 'N/A', '1', '0'],
      ['NAME', 'POD-SELECTOR'],
      ['networkpolicy.networking.k8s.io/web', 'app=web'],
    ]);
  });
});
