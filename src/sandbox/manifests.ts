/** The sandbox's own `kubectl apply`: read a manifest file, create or replace each object in it. */
import { readFileSync } from 'node:fs';
import type { KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { API_VERSION, KIND } from '../api/types.js';
import { httpStatus } from './runtime/cluster.js';

export function readManifests(file: string): KubernetesObject[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`-f ${file}: ${(err as Error).message}`, { cause: err });
  }
  const docs = parseAllDocuments(text);
  const objects: KubernetesObject[] = [];
  for (const [i, doc] of docs.entries()) {
    if (doc.errors.length > 0) throw new Error(`${file}: document ${i + 1}: ${doc.errors[0].message}`);
    const obj = doc.toJS() as KubernetesObject | null;
    if (!obj) continue;
    if (!obj.apiVersion || !obj.kind || !obj.metadata?.name) throw new Error(`${file}: document ${i + 1} needs apiVersion, kind and metadata.name`);
    obj.metadata.namespace ??= 'default';
    objects.push(obj);
  }
  if (!objects.some((o) => o.kind === KIND)) throw new Error(`${file}: no ${KIND} in it (apiVersion ${API_VERSION})`);
  return objects;
}

/** Create, or replace what exists: `kubectl apply` for a file the sandbox itself starts from. */
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
