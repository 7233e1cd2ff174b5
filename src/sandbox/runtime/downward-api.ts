/** Files of a downwardAPI volume (or projected source): the pod's own metadata, formatted as the kubelet writes it. */
import type { V1DownwardAPIVolumeFile, V1Pod } from '@kubernetes/client-node';

/** `key="value"` lines sorted by key, quoted as Go's %q does for plain text. */
export function formatMap(map: Record<string, string> | undefined): string {
  return Object.keys(map ?? {}).sort().map((k) => `${k}=${JSON.stringify(map![k])}`).join('\n');
}

/** A `metadata.*` field of the pod, as a downward API fieldRef reads it; undefined for any other path. */
export function metadataField(pod: V1Pod, fieldPath: string): string | undefined {
  const meta = pod.metadata ?? {};
  const one = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
  if (one) return (one[1] === 'labels' ? meta.labels : meta.annotations)?.[one[2]] ?? '';
  switch (fieldPath) {
    case 'metadata.name': return meta.name ?? '';
    case 'metadata.namespace': return meta.namespace ?? 'default';
    case 'metadata.uid': return meta.uid ?? '';
    case 'metadata.labels': return formatMap(meta.labels);
    case 'metadata.annotations': return formatMap(meta.annotations);
    default: return undefined;
  }
}

function downwardApiValue(pod: V1Pod, fieldPath: string): string {
  const value = metadataField(pod, fieldPath);
  if (value === undefined) throw new Error(`downwardAPI fieldRef ${fieldPath} is not supported by the sandbox`);
  return value;
}

export function downwardApiFiles(pod: V1Pod, items: V1DownwardAPIVolumeFile[] | undefined): Record<string, { content: string; mode?: number }> {
  const out: Record<string, { content: string; mode?: number }> = {};
  for (const item of items ?? []) {
    if (!item.fieldRef) throw new Error(`downwardAPI item ${item.path}: only fieldRef is supported by the sandbox`);
    out[item.path] = { content: downwardApiValue(pod, item.fieldRef.fieldPath), ...(item.mode !== undefined ? { mode: item.mode } : {}) };
  }
  return out;
}
