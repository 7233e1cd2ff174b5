/**
 * Running a container with its volumes at their real mount paths: a private mount namespace
 * (`unshare --mount --propagation private`) whose start script bind-mounts each volume directory
 * at its mountPath, then execs the program. Mount points missing on the host are made only inside
 * a fresh tmpfs over /run (a container's /run is its own), so nothing is left on the host.
 * Pure: mounts and host facts in, a command line out.
 */
import path from 'node:path';
import type { HostMount } from './mounts.js';

/** Roots that get a tmpfs of their own when a mount point below them is missing on the host. */
export const TMPFS_ROOTS = ['/run', '/var/run'];

export interface NamespaceMount extends HostMount {
  readOnly?: boolean;
}

export interface HostFacts {
  exists(p: string): boolean;
  realpath(p: string): string;
  /** Not root: a user namespace maps the caller to root, so mounting is allowed. */
  isRoot: boolean;
  unshare: string;
  shell: string;
}

function quote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function within(p: string, dir: string): boolean {
  return p === dir || p.startsWith(dir.endsWith('/') ? dir : `${dir}/`);
}

/**
 * Mounts that would hide another mount's source (a volume at /tmp while the state dir is under
 * /tmp) go after it; otherwise the spec's order is kept.
 */
export function mountOrder(mounts: NamespaceMount[], keepVisible: string[]): NamespaceMount[] {
  const hides = (m: NamespaceMount) => [...mounts.map((o) => o.hostPath), ...keepVisible].some((p) => p !== m.hostPath && within(p, m.mountPath));
  return [...mounts.filter((m) => !hides(m)), ...mounts.filter(hides)];
}

export type NamespaceLaunch = { command: string; args: string[] } | { error: string };

export function namespacedLaunch(command: string, args: string[], mounts: NamespaceMount[], host: HostFacts, keepVisible: string[]): NamespaceLaunch {
  const ordered = mountOrder(mounts, keepVisible).map((m) => ({ ...m, mountPath: path.posix.normalize(m.mountPath) }));
  const tmpfsRoots = new Set<string>();
  for (const m of ordered) {
    if (host.exists(m.mountPath)) continue;
    const root = TMPFS_ROOTS.find((r) => within(m.mountPath, r));
    if (!root) return { error: `volumeMount ${m.mountPath}: no such directory on this host, and the sandbox makes mount points only under /run` };
    tmpfsRoots.add(root);
  }
  // Every tmpfs first: one mounted later would hide the binds made below it.
  const mounted = new Set([...tmpfsRoots].map((r) => host.realpath(r)));
  const onTmpfs = (target: string) => TMPFS_ROOTS.some((r) => within(target, r) && mounted.has(host.realpath(r)));
  // What must stay reachable (the state dir, the program's own files) but sits below a mount point
  // (a volume at /tmp while they live under /tmp): held open before the mounts, bound back after
  // through the open descriptor (not canonicalised: its path now names the volume).
  const hidden = keepVisible.filter((p) => ordered.some((m) => within(p, m.mountPath)))
    .filter((p, _, all) => !all.some((q) => q !== p && within(p, q)));
  const lines = ['set -e', ...hidden.map((p, i) => `exec ${i + 3}< ${quote(p)}`), ...[...mounted].map((r) => `mount -t tmpfs -o mode=0755 tmpfs ${quote(r)}`)];
  for (const m of ordered) {
    if (onTmpfs(m.mountPath)) lines.push(`mkdir -p ${quote(m.mountPath)}`);
    lines.push(`mount --bind ${quote(m.hostPath)} ${quote(m.mountPath)}`);
    if (m.readOnly) lines.push(`mount -o remount,bind,ro ${quote(m.mountPath)}`);
  }
  hidden.forEach((p, i) => lines.push(`mkdir -p ${quote(p)}`, `mount --no-canonicalize --bind /proc/self/fd/${i + 3} ${quote(p)}`, `exec ${i + 3}<&-`));
  lines.push('exec "$@"');
  return {
    command: host.unshare,
    args: ['--mount', '--propagation', 'private', ...(host.isRoot ? [] : ['--map-root-user']), '--', host.shell, '-c', lines.join('\n'), 'sh', command, ...args],
  };
}
