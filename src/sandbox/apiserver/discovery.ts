/** Discovery documents (/api, /apis, per group-version resource lists, /version), built from the registry. */
import { VERBS, apiVersionOf, type ResourceType } from './resource-type.js';

/** The Kubernetes version whose API this server follows: the real control plane's (src/sandbox/control-plane). */
export const KUBE_VERSION = { major: '1', minor: '35', gitVersion: 'v1.35.4+webstack-sandbox' };

export function versionInfo(): Record<string, string> {
  return {
    ...KUBE_VERSION,
    emulationMajor: KUBE_VERSION.major,
    emulationMinor: KUBE_VERSION.minor,
    minCompatibilityMajor: KUBE_VERSION.major,
    minCompatibilityMinor: String(Number(KUBE_VERSION.minor) - 1),
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'n/a (in-memory sandbox)',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

export function coreVersions(serverAddress: string): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function groupsOf(types: ResourceType[]): Map<string, ResourceType[]> {
  const groups = new Map<string, ResourceType[]>();
  for (const t of types) {
    if (!t.group) continue;
    groups.set(t.group, [...(groups.get(t.group) ?? []), t]);
  }
  return groups;
}

/** kube's version priority: GA before beta before alpha, higher numbers first, then others by name. */
export function compareVersions(a: string, b: string): number {
  const rank = (v: string): [number, number, number] => {
    const m = v.match(/^v(\d+)(?:(alpha|beta)(\d+))?$/);
    if (!m) return [0, 0, 0];
    return [m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1, Number(m[1]), Number(m[3] ?? 0)];
  };
  const [ra, rb] = [rank(a), rank(b)];
  for (let i = 0; i < 3; i++) if (ra[i] !== rb[i]) return rb[i] - ra[i];
  return a.localeCompare(b);
}

function group(name: string, types: ResourceType[]): Record<string, unknown> {
  const versions = [...new Set(types.map((t) => t.version))].sort(compareVersions);
  const entries = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { name, versions: entries, preferredVersion: entries[0] };
}

export function groupList(types: ResourceType[]): Record<string, unknown> {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: [...groupsOf(types)].map(([name, ts]) => group(name, ts)) };
}

export function apiGroup(types: ResourceType[], name: string): Record<string, unknown> | undefined {
  const ts = types.filter((t) => t.group === name);
  return ts.length ? { kind: 'APIGroup', apiVersion: 'v1', ...group(name, ts) } : undefined;
}

export function resourceList(types: ResourceType[], groupName: string, version: string): Record<string, unknown> | undefined {
  const ts = types.filter((t) => t.group === groupName && t.version === version);
  if (!ts.length) return undefined;
  const resources = ts.flatMap((t) => [
    {
      name: t.plural,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: t.verbs ?? VERBS,
      ...(t.shortNames.length ? { shortNames: t.shortNames } : {}),
      ...(t.categories.length ? { categories: t.categories } : {}),
    },
    ...(t.statusSubresource ? [{ name: `${t.plural}/status`, singularName: '', namespaced: t.namespaced, kind: t.kind, verbs: ['get', 'patch', 'update'] }] : []),
    ...(t.group === '' && t.plural === 'pods' ? [{ name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] }] : []),
    ...(t.scale ? [{ name: `${t.plural}/scale`, singularName: '', namespaced: t.namespaced, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] }] : []),
  ]);
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf({ group: groupName, version }), resources };
}
