/**
 * Processes a previous sandbox run left behind when it was killed without a chance to stop them
 * (SIGKILL, a closed terminal): pod processes work inside the state dir, and the operator's
 * command line names the state dir's kubeconfig. Found through /proc (Linux).
 */
import { readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import path from 'node:path';

export interface ProcessFacts {
  pid: number;
  cwd: string;
  argv: string[];
}

/** True when a process belongs to a sandbox run in `stateDir` (a real path). */
export function belongsToSandbox(p: ProcessFacts, stateDir: string, self: number): boolean {
  if (p.pid === self) return false;
  const kubeconfig = path.join(stateDir, 'kubeconfig');
  return p.cwd.startsWith(`${stateDir}/`) || p.argv.includes(kubeconfig);
}

function processes(): ProcessFacts[] {
  const out: ProcessFacts[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      out.push({
        pid: Number(entry),
        cwd: readlinkSync(`/proc/${entry}/cwd`),
        argv: readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean),
      });
    } catch {
      // exited meanwhile, or another user's
    }
  }
  return out;
}

/** SIGKILLs what a previous run in `stateDir` left running; returns their pids. */
export function killLeftovers(stateDir: string): number[] {
  let real: string;
  try {
    real = realpathSync(stateDir);
  } catch {
    return [];
  }
  const killed: number[] = [];
  for (const p of processes()) {
    if (!belongsToSandbox(p, real, process.pid)) continue;
    try {
      process.kill(p.pid, 'SIGKILL');
      killed.push(p.pid);
    } catch {
      // already gone
    }
  }
  return killed;
}
