/** The sandbox's manifests: read a file, `kubectl apply` it as the user would, create or replace an object. */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { API_VERSION, KIND } from '../api/types.js';
import { kubectlPath } from './cli-tools.js';
import { httpStatus } from './runtime/cluster.js';

const run = promisify(execFile);

/** The files `-f` names: the file itself, or those of a directory with kubectl's extensions, in name order. */
function manifestFiles(file: string): string[] {
  let dir: boolean;
  try {
    dir = statSync(file).isDirectory();
  } catch (err) {
    throw new Error(`-f ${file}: ${(err as Error).message}`, { cause: err });
  }
  if (!dir) return [file];
  const files = readdirSync(file).filter((f) => /\.(ya?ml|json)$/.test(f)).sort().map((f) => path.join(file, f));
  if (files.length === 0) throw new Error(`-f ${file}: a directory with no .yaml, .yml or .json file`);
  return files;
}

export function readManifests(file: string): KubernetesObject[] {
  const objects: KubernetesObject[] = [];
  for (const f of manifestFiles(file)) {
    // YAML 1.1, as kubectl reads a manifest: the sandbox must see the values the API server gets.
    const docs = parseAllDocuments(readFileSync(f, 'utf8'), { version: '1.1' });
    for (const [i, doc] of docs.entries()) {
      if (doc.errors.length > 0) throw new Error(`${f}: document ${i + 1}: ${doc.errors[0].message}`);
      const obj = doc.toJS() as KubernetesObject | null;
      if (!obj) continue;
      if (!obj.apiVersion || !obj.kind || !obj.metadata?.name) throw new Error(`${f}: document ${i + 1} needs apiVersion, kind and metadata.name`);
      obj.metadata.namespace ??= 'default';
      objects.push(obj);
    }
  }
  if (!objects.some((o) => o.kind === KIND)) throw new Error(`${file}: no ${KIND} in it (apiVersion ${API_VERSION})`);
  return objects;
}

/** What an apply may meet while the plane is still settling (a CRD not yet served): worth another try. */
const TRANSIENT = /no matches for kind|the server could not find the requested resource|connection refused|ensure CRDs are installed/i;

/**
 * The user's file through the real `kubectl apply` (strict field validation, its refusals word for
 * word); returns kubectl's lines (`webstack.webstack.dev/shop created`).
 */
export async function kubectlApply(kubeconfig: string, file: string, timeoutMs = 15_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { stdout } = await run(kubectlPath(), ['--kubeconfig', kubeconfig, 'apply', '--validate=strict', '-f', file], { timeout: 60_000 });
      return stdout.split('\n').filter(Boolean);
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      const text = (e.stderr || e.message).trim();
      if (!TRANSIENT.test(text) || Date.now() > deadline) throw new Error(`kubectl apply -f ${file}: ${text}`, { cause: err });
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** Create, or replace what exists: for objects the sandbox itself makes (namespaces, generated Secrets). */
export async function apply(client: KubernetesObjectApi, obj: KubernetesObject): Promise<string> {
  try {
    await client.create(obj);
    return 'created';
  } catch (err) {
    if (httpStatus(err) !== 409) throw err;
    const current = await client.read({ apiVersion: obj.apiVersion!, kind: obj.kind!, metadata: { name: obj.metadata!.name!, namespace: obj.metadata!.namespace } });
    await client.replace({ ...obj, metadata: { ...obj.metadata, resourceVersion: current.metadata?.resourceVersion } });
    return 'configured';
  }
}

export async function retry<T>(what: string, fn: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`${what}: ${(err as Error).message ?? String(err)}`, { cause: err });
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
