/** Real kubectl against the in-memory API server while the operator runs: apply, get, wait, delete. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Operator } from '../../src/controller/operator.js';
import { kubectlPath } from '../../src/sandbox/cli-tools.js';
import type { WorkloadSimulator } from '../support/workload-simulator.js';
import { stackObjects, startEnv, startOperator, startSimulator, type Env } from './harness.js';
import { eventually } from '../support/eventually.js';

const run = promisify(execFile);
const NS = 'shop';
let env: Env;
let operator: Operator;
let sim: WorkloadSimulator;
let dir: string;
let kubeconfig: string;

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await run(kubectlPath(), ['--kubeconfig', kubeconfig, ...args], { timeout: 90_000 });
  return stdout;
}

beforeAll(async () => {
  env = await startEnv([NS]);
  dir = mkdtempSync(path.join(tmpdir(), 'webstack-kubectl-'));
  kubeconfig = path.join(dir, 'kubeconfig');
  env.server.writeKubeconfig(kubeconfig);
  ({ operator } = startOperator(env));
  sim = startSimulator(env);
  await eventually('operator caches synced', () => operator.caches.hasSynced());
});

afterAll(async () => {
  await sim?.stop();
  await operator?.stop();
  await env?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('kubectl and the operator', () => {
  it('apply -f, get ws with its columns, wait for Ready, delete --wait removes the stack and its children', async () => {
    const file = path.join(dir, 'shop.yaml');
    writeFileSync(file, [
      'apiVersion: webstack.dev/v1alpha1', 'kind: WebStack', 'metadata:', '  name: shop', `  namespace: ${NS}`, 'spec:', '  apps:',
      '    - name: web', '      image: ghcr.io/acme/shop:1.4', '      replicas: 3', '',
    ].join('\n'));
    expect(await kubectl('apply', '-f', file)).toContain('webstack.webstack.dev/shop created');
    await kubectl('wait', '--for=condition=Ready', '-n', NS, 'ws/shop', '--timeout=60s');
    const table = await kubectl('get', 'ws', '-n', NS);
    const [header, row] = table.trim().split('\n').map((l) => l.trim().split(/\s{2,}/));
    expect(header).toEqual(['NAME', 'READY', 'REASON', 'PRIMARY', 'APPS', 'AGE']);
    expect(row.slice(0, 2)).toEqual(['shop', 'True']);
    expect(row).toContain('web 3/3');
    expect((await stackObjects(env, NS, 'shop')).length).toBeGreaterThan(5);
    await kubectl('delete', '-n', NS, 'ws/shop', '--wait=true', '--timeout=60s');
    expect(await kubectl('get', 'ws', '-n', NS, '--ignore-not-found')).toBe('');
    await eventually('children garbage collected', async () => (await stackObjects(env, NS, 'shop')).length === 0);
  }, 120_000);
});
