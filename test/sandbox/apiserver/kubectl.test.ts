import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { kubectlPath } from '../../../src/sandbox/cli-tools.js';
import { eventually, fixturePath, startHarness, type Harness } from './harness.js';

let h: Harness;
let dir: string;
let kubeconfig: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function kubectl(args: string[], stdin?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      kubectlPath(),
      ['--kubeconfig', kubeconfig, '--cache-dir', path.join(dir, 'cache'), ...args],
      { timeout: 60000, env: { ...process.env, HOME: dir } },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    if (stdin !== undefined) child.stdin!.end(stdin);
  });
}

function file(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

const widget = (name: string, spec: string) => `apiVersion: test.webstack.dev/v1
kind: Widget
metadata:
  name: ${name}
spec:
${spec}
`;

const deployment = (image: string, env: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: ${image}
          env: [${env}]
`;

beforeAll(async () => {
  h = await startHarness();
  dir = mkdtempSync(path.join(tmpdir(), 'apiserver-kubectl-'));
  kubeconfig = path.join(dir, 'kubeconfig');
  h.server.writeKubeconfig(kubeconfig);
  const crd = await kubectl(['apply', '-f', fixturePath('widget-crd.yaml')]);
  expect(crd).toMatchObject({ code: 0, stdout: 'customresourcedefinition.apiextensions.k8s.io/widgets.test.webstack.dev created\n' });
});

afterAll(async () => {
  await h.server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('kubectl against the in-memory API server', () => {
  it('apply (client-side): created, configured, unchanged; strategic merge on a Deployment', async () => {
    const f = file('deploy.yaml', deployment('web:1', '{name: A, value: "1"}, {name: B, value: "2"}'));
    expect(await kubectl(['apply', '-f', f])).toMatchObject({ code: 0, stdout: 'deployment.apps/web created\n' });
    expect(await kubectl(['apply', '-f', f])).toMatchObject({ code: 0, stdout: 'deployment.apps/web unchanged\n' });
    file('deploy.yaml', deployment('web:2', '{name: A, value: "1"}'));
    const changed = await kubectl(['apply', '-f', f]);
    expect(changed).toMatchObject({ code: 0, stdout: 'deployment.apps/web configured\n' });
    expect(changed.stderr).toBe('');
    const got = parse((await kubectl(['get', 'deployment', 'web', '-o', 'yaml'])).stdout);
    expect(got.spec.template.spec.containers[0].image).toBe('web:2');
    expect(got.spec.template.spec.containers[0].env).toEqual([{ name: 'A', value: '1' }]);
    expect(got.metadata.generation).toBe(2);
  });

  it('apply a custom resource, get -o yaml, and get with the CRD printer columns', async () => {
    const f = file('w1.yaml', widget('w1', '  color: red\n  size: 3'));
    expect(await kubectl(['apply', '-f', f])).toMatchObject({ code: 0, stdout: 'widget.test.webstack.dev/w1 created\n' });
    const yaml = await kubectl(['get', 'widget', 'w1', '-o', 'yaml']);
    expect(yaml.code).toBe(0);
    const obj = parse(yaml.stdout);
    expect(obj).toMatchObject({ apiVersion: 'test.webstack.dev/v1', kind: 'Widget', metadata: { name: 'w1', namespace: 'default', generation: 1 }, spec: { color: 'red', size: 3 } });
    expect(obj.metadata.uid).toEqual(expect.any(String));
    const table = await kubectl(['get', 'wd']);
    expect(table.code).toBe(0);
    const [header, row] = table.stdout.trim().split('\n');
    expect(header.split(/\s+/)).toEqual(['NAME', 'SIZE', 'READY', 'AGE']);
    expect(row.split(/\s+/).slice(0, 2)).toEqual(['w1', '3']);
  });

  it('patch and label', async () => {
    expect(await kubectl(['patch', 'widget', 'w1', '--type', 'merge', '-p', '{"spec":{"size":4}}'])).toMatchObject({ code: 0, stdout: 'widget.test.webstack.dev/w1 patched\n' });
    expect(await kubectl(['label', 'widget', 'w1', 'tier=gold'])).toMatchObject({ code: 0, stdout: 'widget.test.webstack.dev/w1 labeled\n' });
    expect(await kubectl(['annotate', 'deployment', 'web', 'note=hi'])).toMatchObject({ code: 0, stdout: 'deployment.apps/web annotated\n' });
    const labelled = await kubectl(['get', 'widgets', '-l', 'tier=gold', '-o', 'jsonpath={.items[*].metadata.name} {.items[*].spec.size}']);
    expect(labelled.stdout).toBe('w1 4');
    const unlabelled = await kubectl(['get', 'widgets', '-l', 'tier!=gold', '-o', 'name']);
    expect(unlabelled.stdout).toBe('');
  });

  it('refuses an invalid object and names the field', async () => {
    const bad = await kubectl(['apply', '-f', file('bad.yaml', widget('bad', '  color: purple\n  size: 0'))]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('The Widget "bad" is invalid:');
    expect(bad.stderr).toContain('spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1');
    expect(bad.stderr).toContain('spec.color: Unsupported value: "purple"');
    const unknown = await kubectl(['apply', '-f', file('unknown.yaml', widget('unknown', '  color: red\n  colour: red'))]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown field "spec.colour"');
  });

  it('apply --server-side, then a conflicting apply fails with exit 1 naming the manager and field', async () => {
    const f = file('w2.yaml', widget('w2', '  color: green\n  size: 2'));
    expect(await kubectl(['apply', '--server-side', '-f', f])).toMatchObject({ code: 0, stdout: 'widget.test.webstack.dev/w2 serverside-applied\n' });
    file('w2.yaml', widget('w2', '  color: green\n  size: 5'));
    const conflict = await kubectl(['apply', '--server-side', '--field-manager', 'intruder', '-f', f]);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toContain('Apply failed with 1 conflict: conflict with "kubectl" using test.webstack.dev/v1: .spec.size');
    expect(conflict.stderr).toContain('--force-conflicts');
    const forced = await kubectl(['apply', '--server-side', '--field-manager', 'intruder', '--force-conflicts', '-f', f]);
    expect(forced.code).toBe(0);
    expect((await kubectl(['get', 'wd', 'w2', '-o', 'jsonpath={.spec.size}'])).stdout).toBe('5');
  });

  it('wait --for=condition=Ready returns once the status says so', async () => {
    const waiting = kubectl(['wait', '--for=condition=Ready', 'widget/w1', '--timeout=30s']);
    await new Promise((r) => setTimeout(r, 500));
    const res = await fetch(`${h.server.url}/apis/test.webstack.dev/v1/namespaces/default/widgets/w1/status`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/merge-patch+json' },
      body: JSON.stringify({ status: { conditions: [{ type: 'Ready', status: 'True', reason: 'Tested', message: 'ok', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z/, 'Z') }] } }),
    });
    expect(res.status).toBe(200);
    expect(await waiting).toMatchObject({ code: 0, stdout: 'widget.test.webstack.dev/w1 condition met\n' });
    const row = (await kubectl(['get', 'wd', 'w1', '--no-headers'])).stdout.trim().split(/\s+/);
    expect(row.slice(0, 3)).toEqual(['w1', '4', 'True']);
  });

  it('delete --wait returns once the object is really gone (after its finalizer is removed)', async () => {
    await kubectl(['patch', 'widget', 'w2', '--type', 'merge', '-p', '{"metadata":{"finalizers":["test.webstack.dev/hold"]}}']);
    const deleting = kubectl(['delete', 'widget', 'w2', '--wait', '--timeout=30s']);
    const marked = await (async () => {
      for (let i = 0; i < 100; i++) {
        const r = await kubectl(['get', 'wd', 'w2', '-o', 'jsonpath={.metadata.deletionTimestamp}']);
        if (r.stdout) return r.stdout;
        await new Promise((res) => setTimeout(res, 100));
      }
      return '';
    })();
    expect(marked).not.toBe('');
    expect(await kubectl(['patch', 'widget', 'w2', '--type', 'json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]'])).toMatchObject({ code: 0 });
    expect(await deleting).toMatchObject({ code: 0, stdout: 'widget.test.webstack.dev "w2" deleted from default namespace\n' });
    const gone = await kubectl(['get', 'wd', 'w2']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('widgets.test.webstack.dev "w2" not found');
  });

  it('scale a Deployment', async () => {
    expect(await kubectl(['scale', 'deployment', 'web', '--replicas=4'])).toMatchObject({ code: 0, stdout: 'deployment.apps/web scaled\n' });
    expect((await kubectl(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas}'])).stdout).toBe('4');
    const stale = await kubectl(['scale', 'deployment', 'web', '--replicas=1', '--current-replicas=2']);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('Expected replicas to be 2, was 4');
  });

  it('get -w prints rows as objects change', async () => {
    const child = execFile(kubectlPath(), ['--kubeconfig', kubeconfig, '--cache-dir', path.join(dir, 'cache'), 'get', 'configmaps', '-w'], { env: { ...process.env, HOME: dir } });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await h.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'watched' } } });
      await eventually(() => /^watched\s+0\s+\S+$/m.test(out), 30000);
      await h.core.patchNamespacedConfigMap({ namespace: 'default', name: 'watched', body: [{ op: 'add', path: '/metadata/labels', value: { seen: 'twice' } }] }, setHeaderOptions('Content-Type', PatchStrategy.JsonPatch));
      await eventually(() => (out.match(/^watched\s+0\s+\S+$/gm) ?? []).length >= 2, 30000);
      expect(out.split('\n')[0].split(/\s+/)).toEqual(['NAME', 'DATA', 'AGE']);
    } finally {
      child.kill();
    }
  });

  it('api-resources lists built-ins and the CRD', async () => {
    const out = await kubectl(['api-resources', '--no-headers']);
    expect(out.code).toBe(0);
    const names = out.stdout.split('\n').map((l) => l.split(/\s+/)[0]);
    expect(names).toEqual(expect.arrayContaining(['pods', 'deployments', 'statefulsets', 'leases', 'poddisruptionbudgets', 'networkpolicies', 'customresourcedefinitions', 'widgets']));
  });

  const webstackCrd = new URL('../../../crds/webstack.yaml', import.meta.url).pathname;
  (existsSync(webstackCrd) ? it : it.skip)('a rejected invalid WebStack shows the field', async () => {
    expect((await kubectl(['apply', '-f', webstackCrd])).code).toBe(0);
    const bad = await kubectl(['apply', '-f', '-'], 'apiVersion: webstack.dev/v1alpha1\nkind: WebStack\nmetadata: {name: shop}\nspec:\n  apps: [{name: web, image: "web:1", replicas: -1}]\n');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('The WebStack "shop" is invalid');
    expect(bad.stderr).toContain('spec.apps[0].replicas');
    const good = await kubectl(['apply', '-f', '-'], 'apiVersion: webstack.dev/v1alpha1\nkind: WebStack\nmetadata: {name: shop}\nspec:\n  apps: [{name: web, image: "web:1"}]\n');
    expect(good).toMatchObject({ code: 0, stdout: 'webstack.webstack.dev/shop created\n' });
    expect((await kubectl(['get', 'ws', 'shop', '-o', 'name'])).stdout).toBe('webstack.webstack.dev/shop\n');
  });
});
