/** Runs the real helm binary on the chart and returns the rendered objects. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { helmPath } from '../../src/sandbox/cli-tools.js';
import type { KubeObject } from './kube-schema.js';

export const CHART = path.resolve('deploy/helm/webstack-operator');

export type HelmResult = { code: number; stdout: string; stderr: string };

/** Runs helm with `values` written to a values file; never throws on a non-zero exit. */
export function helm(args: string[], values?: unknown): HelmResult {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'webstack-chart-'));
  try {
    const valuesArgs: string[] = [];
    if (values !== undefined) {
      const file = path.join(dir, 'values.json');
      writeFileSync(file, JSON.stringify(values));
      valuesArgs.push('--values', file);
    }
    try {
      const stdout = execFileSync(helmPath(), [...args, ...valuesArgs], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60000 });
      return { code: 0, stdout, stderr: '' };
    } catch (err) {
      const e = err as { status?: number; stdout?: string; stderr?: string };
      return { code: e.status ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? String(err) };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function parseObjects(yamlText: string): KubeObject[] {
  return parseAllDocuments(yamlText).map((d) => d.toJS() as KubeObject | null).filter((o): o is KubeObject => o !== null);
}

/** `helm template` of the chart as release `release` in `namespace`; throws with helm's message on failure. */
export function renderChart(values: unknown = {}, namespace = 'ops', release = 'webstack-operator'): KubeObject[] {
  const result = helm(['template', release, CHART, '--namespace', namespace], values);
  if (result.code !== 0) throw new Error(`helm template failed: ${result.stderr}`);
  return parseObjects(result.stdout);
}

export function findObject(objects: KubeObject[], kind: string, name?: string, namespace?: string): KubeObject {
  const found = objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name) && (namespace === undefined || o.metadata.namespace === namespace));
  if (!found) throw new Error(`no ${kind}${name ? ` ${name}` : ''} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
}
