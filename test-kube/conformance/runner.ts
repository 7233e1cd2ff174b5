/** Runs each operation against both servers, each time in a fresh namespace, and collects the differences. */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { differences, type Difference } from './differences.js';
import { perform, type Operation } from './operation.js';
import type { Target } from './targets.js';

export interface Server {
  target: Target;
  /** The real server's controllers make each namespace's `default` ServiceAccount, and pods are refused until it exists. */
  awaitServiceAccount: boolean;
}

export interface Report {
  operations: number;
  differences: Difference[];
}

async function freshNamespace(server: Server, ns: string, files: string): Promise<void> {
  const scope = { target: server.target, ns, files };
  const made = await perform({ http: { method: 'POST', path: '/api/v1/namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } } }, scope);
  if (made.code !== 201) throw new Error(`${server.target.name}: creating namespace ${ns} failed: ${made.code} ${made.stdout}`);
  if (!server.awaitServiceAccount) return;
  for (let i = 0; i < 100; i++) {
    if ((await perform({ http: { method: 'GET', path: `/api/v1/namespaces/${ns}/serviceaccounts/default` } }, scope)).code === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${server.target.name}: no default ServiceAccount in ${ns}`);
}

export async function runConformance(inMemory: Server, real: Server, operations: Operation[], dir: string): Promise<Report> {
  const run = Math.random().toString(36).slice(2, 6);
  const found: Difference[] = [];
  for (const [i, operation] of operations.entries()) {
    const ns = `conf-${run}-${i}`;
    const answers = await Promise.all([inMemory, real].map(async (server) => {
      const files = path.join(dir, server.target.name, ns);
      mkdirSync(files, { recursive: true });
      await freshNamespace(server, ns, files);
      return operation.run({ target: server.target, ns, files });
    }));
    found.push(...differences(operation.name, answers[0], answers[1]));
  }
  return { operations: operations.length, differences: found };
}
