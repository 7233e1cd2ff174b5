/**
 * Differential conformance: the same kubectl, helm and HTTP operations against the in-memory API
 * server and a real kube-apiserver; the differences must be exactly the known ones.
 * CONFORMANCE_REAL_KUBECONFIG=file runs against an already running real server instead of starting one.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { startApiServer, type RunningApiServer } from '../../src/sandbox/apiserver/index.js';
import { startControlPlane, type ControlPlane } from '../../src/sandbox/control-plane/index.js';
import { keyOf, type Difference } from './differences.js';
import { knownDifferences } from './known-differences.js';
import { httpOperations } from './operations-http.js';
import { objectOperations } from './operations-objects.js';
import { helmOperations, watchOperations } from './operations-watch-helm.js';
import { runConformance, type Report } from './runner.js';
import { makeTarget } from './targets.js';

let dir: string;
let inMemory: RunningApiServer;
let real: ControlPlane | undefined;
let realKubeconfig: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'conformance-'));
  inMemory = await startApiServer({ port: 0, bookmarkIntervalMs: 60000 });
  const given = process.env.CONFORMANCE_REAL_KUBECONFIG;
  if (given) realKubeconfig = readFileSync(given, 'utf8');
  else {
    real = await startControlPlane({ dir: path.join(dir, 'control-plane') });
    realKubeconfig = real.kubeconfig();
  }
});

afterAll(async () => {
  await inMemory?.close();
  await real?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('differs from kube-apiserver only where listed', async () => {
  const report: Report = await runConformance(
    { target: makeTarget('in-memory', inMemory.kubeconfig(), dir), awaitServiceAccount: false },
    { target: makeTarget('real', realKubeconfig, dir), awaitServiceAccount: true },
    [...objectOperations, ...httpOperations, ...watchOperations, ...helmOperations],
    dir,
  );
  console.log(`conformance: ${report.differences.length} differences of ${report.operations} operations`);
  const known = new Set(Object.keys(knownDifferences));
  const unexpected = report.differences.filter((d) => !known.has(keyOf(d)));
  const gone = [...known].filter((k) => !report.differences.some((d) => keyOf(d) === k));
  if (unexpected.length || gone.length) console.log(explain(unexpected, gone));
  expect(report.differences.map(keyOf).sort()).toEqual([...known].sort());
}, 20 * 60000);

function explain(unexpected: Difference[], gone: string[]): string {
  return [
    ...unexpected.map((d) => `NEW ${keyOf(d)}\n  in-memory: ${JSON.stringify(d.inMemory)}\n  real:      ${JSON.stringify(d.real)}`),
    ...gone.map((k) => `GONE (remove from known-differences.ts) ${k}`),
  ].join('\n');
}
