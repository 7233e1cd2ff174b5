import { describe, expect, it } from '@jest/globals';
import { mountOrder, namespacedLaunch, type HostFacts } from '../../../src/sandbox/runtime/mount-namespace.js';

const onHost = new Set(['/tmp', '/run', '/var/run', '/etc']);
const host: HostFacts = {
  exists: (p) => onHost.has(p), realpath: (p) => (p === '/var/run' ? '/run' : p), isRoot: true, unshare: '/usr/bin/unshare', shell: '/bin/sh',
};
const token = { mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', hostPath: '/tmp/state/pods/ab/v/api', readOnly: true };
const tmp = { mountPath: '/tmp', hostPath: '/tmp/state/pods/ab/v/tmp' };

function script(launch: ReturnType<typeof namespacedLaunch>): string[] {
  if ('error' in launch) throw new Error(launch.error);
  return launch.args[launch.args.indexOf('-c') + 1].split('\n');
}

describe('mountOrder', () => {
  it('mounts over a directory holding other sources (or the state dir) last', () => {
    expect(mountOrder([tmp, token], ['/tmp/state'])).toEqual([token, tmp]);
    expect(mountOrder([token, { mountPath: '/data', hostPath: '/srv/d' }], [])).toEqual([token, { mountPath: '/data', hostPath: '/srv/d' }]);
  });
});

describe('namespacedLaunch', () => {
  it('runs the program through unshare in a private mount namespace, with its arguments intact', () => {
    const launch = namespacedLaunch('/usr/bin/node', ['cli.js', 'run', "--x=it's"], [token], host, []);
    if ('error' in launch) throw new Error(launch.error);
    expect(launch.command).toBe('/usr/bin/unshare');
    expect(launch.args.slice(0, 6)).toEqual(['--mount', '--propagation', 'private', '--', '/bin/sh', '-c']);
    expect(launch.args.slice(7)).toEqual(['sh', '/usr/bin/node', 'cli.js', 'run', "--x=it's"]);
  });

  it('makes missing mount points inside one tmpfs over /run (where /var/run leads), read-only where asked, then the rest', () => {
    expect(script(namespacedLaunch('p', [], [tmp, token], host, ['/tmp/state']))).toEqual([
      'set -e',
      "exec 3< '/tmp/state'",
      "mount -t tmpfs -o mode=0755 tmpfs '/run'",
      "mkdir -p '/var/run/secrets/kubernetes.io/serviceaccount'",
      "mount --bind '/tmp/state/pods/ab/v/api' '/var/run/secrets/kubernetes.io/serviceaccount'",
      "mount -o remount,bind,ro '/var/run/secrets/kubernetes.io/serviceaccount'",
      "mount --bind '/tmp/state/pods/ab/v/tmp' '/tmp'",
      "mkdir -p '/tmp/state'",
      "mount --no-canonicalize --bind /proc/self/fd/3 '/tmp/state'",
      'exec 3<&-',
      'exec "$@"',
    ]);
  });

  it('binds back what must stay reachable below a mount point, the state dir and the checkout', () => {
    expect(script(namespacedLaunch('p', [], [tmp], host, ['/tmp/state', '/tmp/state/x', '/tmp/repo', '/srv/other']))).toEqual([
      'set -e',
      "exec 3< '/tmp/state'",
      "exec 4< '/tmp/repo'",
      "mount --bind '/tmp/state/pods/ab/v/tmp' '/tmp'",
      "mkdir -p '/tmp/state'",
      'mount --no-canonicalize --bind /proc/self/fd/3 \'/tmp/state\'',
      'exec 3<&-',
      "mkdir -p '/tmp/repo'",
      'mount --no-canonicalize --bind /proc/self/fd/4 \'/tmp/repo\'',
      'exec 4<&-',
      'exec "$@"',
    ]);
  });

  it('quotes paths for the shell', () => {
    expect(script(namespacedLaunch('p', [], [{ mountPath: '/etc', hostPath: "/s/it's" }], host, []))).toContain("mount --bind '/s/it'\\''s' '/etc'");
  });

  it('refuses a mount point it would have to create on the host', () => {
    expect(namespacedLaunch('p', [], [{ mountPath: '/opt/certs', hostPath: '/s' }], host, [])).toEqual({ error: expect.stringContaining('/opt/certs') });
  });

  it('maps a non-root caller to root in a user namespace, so it may mount', () => {
    const launch = namespacedLaunch('p', [], [], { ...host, isRoot: false }, []);
    expect('args' in launch && launch.args).toContain('--map-root-user');
  });
});
