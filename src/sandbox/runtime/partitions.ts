/**
 * Network partitions on this machine (the rules: partition-rules.ts). Each endpoint gets a cgroup
 * v2 cgroup under one per-run parent; a process is placed in it by the command wrapper, before it
 * runs anything, so every socket it and its children open belongs to it. Needs root, a cgroup v2
 * hierarchy and iptables with the cgroup, connmark and conntrack matches; `open` says which is
 * missing. `close` removes the chain, its jump and the cgroups; what a killed run left is removed
 * by the next `open`.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cutsAfterHeal, cutsAfterPartition, renderPartitionChain, type Cut, type PartitionEndpoint } from './partition-rules.js';

/** Where the cgroup v2 hierarchy is mounted (`/sys/fs/cgroup`, or `/sys/fs/cgroup/unified` on a hybrid host). */
export function cgroup2Root(mounts: string): string | undefined {
  for (const line of mounts.split('\n')) {
    const [, mountPoint, type] = line.split(' ');
    if (type === 'cgroup2') return mountPoint;
  }
  return undefined;
}

function run(command: string, args: string[], input?: string): void {
  try {
    execFileSync(command, args, { input, stdio: ['pipe', 'ignore', 'pipe'], timeout: 10_000 });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`${command} ${args.join(' ')} failed${stderr ? `: ${stderr}` : ''}`, { cause: err });
  }
}

export class Partitions {
  private readonly endpoints = new Map<string, PartitionEndpoint>();
  private cuts: Cut[] = [];
  private nextMark = 1;
  private closed = false;

  private constructor(private readonly root: string, private readonly parent: string, private readonly chain: string) {}

  /** Ready to cut, or an Error that says what this machine lacks. */
  static open(): Partitions {
    if (process.getuid?.() !== 0) throw new Error('network partitions need root (iptables and cgroups)');
    const root = cgroup2Root(readFileSync('/proc/mounts', 'utf8'));
    if (!root) throw new Error('network partitions need a cgroup v2 hierarchy, and none is mounted');
    removeStale(root);
    // The owner's pid in the names, so a later run can tell what a killed one left behind.
    const id = `${process.pid}-${randomBytes(3).toString('hex')}`;
    const parent = `webstack-${id}`;
    const chain = `WEBSTACK-${id}`;
    mkdirSync(path.join(root, parent));
    const p = new Partitions(root, parent, chain);
    try {
      p.apply();
      run('iptables', ['-w', '-t', 'mangle', '-I', 'OUTPUT', '-j', chain]);
    } catch (err) {
      p.close();
      throw err;
    }
    return p;
  }

  /**
   * An endpoint, made if new (its cgroup, and a mark on every connection it opens from now on),
   * with the address others reach it at now: a pod re-created under its name keeps its cuts.
   */
  add(name: string, address?: string): void {
    const known = this.endpoints.get(name);
    if (known) {
      if (known.address === address) return;
      this.endpoints.set(name, { ...known, address });
    } else {
      if (this.nextMark > 0xffff) throw new Error('partition endpoints exhausted (65535)');
      const cgroup = `${this.parent}/${name.replace(/\//g, '.')}`;
      mkdirSync(path.join(this.root, cgroup), { recursive: true });
      this.endpoints.set(name, { name, cgroup, mark: this.nextMark++, ...(address ? { address } : {}) });
    }
    this.apply();
  }

  /** The endpoint's cgroup.procs file: writing a pid there moves that process (and its future children) in. */
  procsFile(name: string): string {
    const e = this.endpoints.get(name);
    if (!e) throw new Error(`partition endpoint ${name} is not known`);
    return path.join(this.root, e.cgroup, 'cgroup.procs');
  }

  /** A command line that joins the endpoint's cgroup, then runs `command args` (exec: same pid). */
  wrap(name: string, command: string, args: string[]): { command: string; args: string[] } {
    return { command: '/bin/sh', args: ['-c', 'echo $$ > "$0" && exec "$@"', this.procsFile(name), command, ...args] };
  }

  /** Moves a running process (not its existing children) into the endpoint's cgroup. */
  place(name: string, pid: number): void {
    writeFileSync(this.procsFile(name), String(pid));
  }

  /** Cuts `name` off from the endpoints in `from`, or from every other one. */
  partition(name: string, from: readonly string[] = []): void {
    this.cuts = cutsAfterPartition(this.cuts, [...this.endpoints.keys()], name, from);
    this.apply();
  }

  /** Every cut that involves `name` goes. */
  heal(name: string): void {
    if (!this.endpoints.has(name)) throw new Error(`heal: ${name} is not known here`);
    this.cuts = cutsAfterHeal(this.cuts, name);
    this.apply();
  }

  /** The endpoints `name` is cut off from. */
  cutOff(name: string): string[] {
    return this.cuts.flatMap(([a, b]) => (a === name ? [b] : b === name ? [a] : []));
  }

  private apply(): void {
    if (this.closed) return;
    run('iptables-restore', ['-w', '--noflush'], renderPartitionChain(this.chain, [...this.endpoints.values()], this.cuts));
  }

  /** Removes the jump, the chain and every empty cgroup; safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    removeRun(this.root, this.chain, this.parent);
  }
}

function removeRun(root: string, chain: string, parent: string): void {
  for (const args of [['-D', 'OUTPUT', '-j', chain], ['-F', chain], ['-X', chain]]) {
    try { run('iptables', ['-w', '-t', 'mangle', ...args]); } catch { /* not there */ }
  }
  let children: string[] = [];
  try { children = readdirSync(path.join(root, parent), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name); } catch { /* gone */ }
  for (const c of children) {
    try { rmdirSync(path.join(root, parent, c)); } catch { /* still has processes */ }
  }
  try { rmdirSync(path.join(root, parent)); } catch { /* still has processes */ }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The chains of runs whose owner is gone (killed before it could clean up), from `iptables -S` output. */
export function staleChains(listing: string, isAlive: (pid: number) => boolean): string[] {
  const out: string[] = [];
  for (const m of listing.matchAll(/^-N (WEBSTACK-(\d+)-[0-9a-f]+)$/gm)) {
    if (!isAlive(Number(m[2]))) out.push(m[1]);
  }
  return out;
}

/** What runs that were killed left: their chains, jumps and cgroups. */
function removeStale(root: string): void {
  let listing: string;
  try {
    listing = execFileSync('iptables', ['-w', '-t', 'mangle', '-S'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 });
  } catch {
    return;
  }
  for (const chain of staleChains(listing, alive)) removeRun(root, chain, `webstack-${chain.slice('WEBSTACK-'.length)}`);
}
