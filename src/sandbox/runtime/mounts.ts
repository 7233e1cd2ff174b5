/**
 * A pod's filesystem on the host: volumes are directories under the state dir, and paths a
 * container would see (`/var/lib/mysql`, `/etc/haproxy/haproxy.cfg`) are translated to them.
 * Paths under a pod's private directories (/var/run, /tmp, ...) go to the pod's own rootfs dir,
 * so two pods never share a socket or a pid file.
 */
import path from 'node:path';

export interface HostMount {
  mountPath: string;
  hostPath: string;
}

/** Directories every container has to itself; a path under one of them lands in the pod's rootfs. */
export const PRIVATE_DIRS = ['/var/run/', '/run/', '/var/lib/', '/var/log/', '/tmp/', '/etc/mysql/', '/etc/haproxy/', '/usr/local/etc/haproxy/', '/data/'];

function under(p: string, dir: string): boolean {
  const d = dir.endsWith('/') ? dir.slice(0, -1) : dir;
  return p === d || p.startsWith(`${d}/`);
}

/** The host path for a path inside the container, or the path unchanged when it is the host's (a binary, /dev/null). */
export function translatePath(p: string, mounts: HostMount[], rootfs: string): string {
  if (!p.startsWith('/')) return p;
  const norm = path.posix.normalize(p);
  const mount = [...mounts].sort((a, b) => b.mountPath.length - a.mountPath.length).find((m) => under(norm, m.mountPath));
  if (mount) return path.join(mount.hostPath, path.posix.relative(mount.mountPath, norm));
  if (PRIVATE_DIRS.some((d) => under(norm, d))) return path.join(rootfs, norm);
  return p;
}

const PATH_IN_TEXT = /(^|[\s='":,@])(\/[A-Za-z0-9._+\-/]*)/g;

/** Translates every absolute path inside a string (a flag like `--datadir=/var/lib/mysql`, a shell line). */
export function translatePathsIn(text: string, mounts: HostMount[], rootfs: string): string {
  return text.replace(PATH_IN_TEXT, (_m, lead: string, p: string) => `${lead}${translatePath(p, mounts, rootfs)}`);
}

/** Kubernetes `$(VAR)` references in command, args and env values; `$$(VAR)` stays literal. */
export function expandVars(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$\(|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name: string | undefined) => {
    if (!name) return '$(';
    return Object.prototype.hasOwnProperty.call(env, name) ? env[name] : m;
  });
}
