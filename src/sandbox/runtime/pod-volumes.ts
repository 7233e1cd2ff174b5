/**
 * A pod's volumes as directories: ConfigMaps, Secrets and the downward API written out as files
 * (like the kubelet's atomic writer, but once, at pod start; service-account tokens are rewritten
 * when renewed), emptyDirs private to the pod, and PersistentVolumeClaims as directories under the
 * state dir that outlive the pod.
 */
import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { V1KeyToPath, V1Pod, V1Volume } from '@kubernetes/client-node';
import { downwardApiFiles } from './downward-api.js';
import { tokenKey } from './token-sources.js';

export interface Sources {
  configMaps: Record<string, Record<string, string>>;
  /** Secret data, already decoded. */
  secrets: Record<string, Record<string, string>>;
  /** Service-account tokens by `<volume>/<path>` (token-sources.ts); absent where no API issues them. */
  tokens?: Record<string, string>;
}

/** The data directory of a claim: stable across pod restarts and re-creation. */
export function claimDir(stateDir: string, namespace: string, claim: string): string {
  return path.join(stateDir, 'volumes', namespace, claim);
}

/** Names of the ConfigMaps and Secrets a pod reads, through volumes, env or envFrom. */
export function referencedSources(pod: V1Pod): { configMaps: string[]; secrets: string[] } {
  const cms = new Set<string>();
  const secrets = new Set<string>();
  for (const v of pod.spec?.volumes ?? []) {
    if (v.configMap?.name) cms.add(v.configMap.name);
    if (v.secret?.secretName) secrets.add(v.secret.secretName);
    for (const s of v.projected?.sources ?? []) {
      if (s.configMap?.name) cms.add(s.configMap.name);
      if (s.secret?.name) secrets.add(s.secret.name);
    }
  }
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    for (const e of c.env ?? []) {
      if (e.valueFrom?.configMapKeyRef?.name) cms.add(e.valueFrom.configMapKeyRef.name);
      if (e.valueFrom?.secretKeyRef?.name) secrets.add(e.valueFrom.secretKeyRef.name);
    }
    for (const e of c.envFrom ?? []) {
      if (e.configMapRef?.name) cms.add(e.configMapRef.name);
      if (e.secretRef?.name) secrets.add(e.secretRef.name);
    }
  }
  return { configMaps: [...cms], secrets: [...secrets] };
}

/** Files of a ConfigMap or Secret volume: every key, or only `items` at their paths. */
export function projectedFiles(data: Record<string, string>, items: V1KeyToPath[] | undefined, what: string): Record<string, { content: string; mode?: number }> {
  if (!items || items.length === 0) return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, { content: v }]));
  const out: Record<string, { content: string; mode?: number }> = {};
  for (const item of items) {
    if (!(item.key in data)) throw new Error(`${what}: key ${item.key} not found`);
    if (item.path.split('/').includes('..') || path.isAbsolute(item.path)) throw new Error(`${what}: item path ${item.path} must be relative and stay inside the volume`);
    out[item.path] = { content: data[item.key], ...(item.mode !== undefined ? { mode: item.mode } : {}) };
  }
  return out;
}

async function writeFiles(dir: string, files: Record<string, { content: string; mode?: number }>, defaultMode: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [rel, f] of Object.entries(files)) {
    const file = path.join(dir, rel);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, f.content);
    await chmod(file, f.mode ?? defaultMode);
  }
}

/** Replaces one file in a volume at once, so a reader never sees it half written (a renewed token). */
export async function replaceFile(dir: string, rel: string, content: string, mode: number): Promise<void> {
  const file = path.join(dir, rel);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, content, { mode });
  await chmod(tmp, mode);
  await rename(tmp, file);
}

function lookup(kind: 'ConfigMap' | 'Secret', name: string, data: Record<string, string> | undefined, optional: boolean | undefined): Record<string, string> | undefined {
  if (data) return data;
  if (optional) return {};
  throw new Error(`${kind} ${name} not found`);
}

/** Writes every volume and returns volume name -> host directory. Throws naming the missing source. */
export async function materializeVolumes(pod: V1Pod, podDir: string, stateDir: string, sources: Sources): Promise<Record<string, string>> {
  const ns = pod.metadata?.namespace ?? 'default';
  const dirs: Record<string, string> = {};
  for (const v of pod.spec?.volumes ?? []) {
    dirs[v.name] = await materializeVolume(v, pod, ns, path.join(podDir, 'v', v.name), stateDir, sources);
  }
  return dirs;
}

async function materializeVolume(v: V1Volume, pod: V1Pod, ns: string, dir: string, stateDir: string, sources: Sources): Promise<string> {
  if (v.persistentVolumeClaim) {
    const d = claimDir(stateDir, ns, v.persistentVolumeClaim.claimName);
    await mkdir(d, { recursive: true });
    return d;
  }
  if (v.configMap) {
    const name = v.configMap.name ?? '';
    const data = lookup('ConfigMap', name, sources.configMaps[name], v.configMap.optional);
    await writeFiles(dir, projectedFiles(data!, v.configMap.items, `volume ${v.name}: ConfigMap ${name}`), v.configMap.defaultMode ?? 0o644);
    return dir;
  }
  if (v.secret) {
    const name = v.secret.secretName ?? '';
    const data = lookup('Secret', name, sources.secrets[name], v.secret.optional);
    await writeFiles(dir, projectedFiles(data!, v.secret.items, `volume ${v.name}: Secret ${name}`), v.secret.defaultMode ?? 0o644);
    return dir;
  }
  if (v.downwardAPI) {
    await writeFiles(dir, downwardApiFiles(pod, v.downwardAPI.items), v.downwardAPI.defaultMode ?? 0o644);
    return dir;
  }
  if (v.projected) {
    const mode = v.projected.defaultMode ?? 0o644;
    for (const s of v.projected.sources ?? []) {
      if (s.downwardAPI) await writeFiles(dir, downwardApiFiles(pod, s.downwardAPI.items), mode);
      const token = s.serviceAccountToken ? sources.tokens?.[tokenKey({ volume: v.name, path: s.serviceAccountToken.path })] : undefined;
      if (token !== undefined) await writeFiles(dir, { [s.serviceAccountToken!.path]: { content: token } }, mode);
      if (s.configMap) {
        const data = lookup('ConfigMap', s.configMap.name ?? '', sources.configMaps[s.configMap.name ?? ''], s.configMap.optional);
        await writeFiles(dir, projectedFiles(data!, s.configMap.items, `volume ${v.name}: ConfigMap ${s.configMap.name}`), mode);
      }
      if (s.secret) {
        const data = lookup('Secret', s.secret.name ?? '', sources.secrets[s.secret.name ?? ''], s.secret.optional);
        await writeFiles(dir, projectedFiles(data!, s.secret.items, `volume ${v.name}: Secret ${s.secret.name}`), mode);
      }
    }
    await mkdir(dir, { recursive: true });
    return dir;
  }
  // emptyDir, and kinds the sandbox has no equivalent for: an empty directory of the pod's own.
  await mkdir(dir, { recursive: true });
  return dir;
}
