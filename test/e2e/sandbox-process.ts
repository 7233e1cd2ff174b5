/** `webstack-operator sandbox -f FILE` as a child process, as a user runs it, plus real kubectl against it. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { kubectlPath } from '../../src/sandbox/cli-tools.js';

const run = promisify(execFile);

export interface Sandbox {
  stateDir: string;
  kubeconfig: string;
  output(): string;
  kubectl(...args: string[]): Promise<string>;
  /** `webstack-operator sandbox <args> --state-dir DIR`, run to completion. */
  cli(...args: string[]): Promise<string>;
  /**
   * Pids of the pods' processes (their working directory is inside the state dir), or only of the
   * pods with these uids (a pod works in `pods/<first 8 characters of its uid>`).
   */
  podProcesses(uids?: string[]): number[];
  stop(): Promise<number | null>;
}

const CLI = path.resolve('src/cli.ts');
const NODE_ARGS = ['--import', '@swc-node/register/esm-register', CLI];

/** `embedded` (the in-memory API server, the default) or `kube` (the real control plane). */
export type ControlPlane = 'embedded' | 'kube';

/** `manifest`: the YAML text, or the path of a file or directory the sandbox reads as it is. */
export async function startSandbox(manifest: string | { path: string }, controlPlane: ControlPlane = 'embedded'): Promise<Sandbox> {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'e2e-sb-'));
  let file: string;
  if (typeof manifest === 'string') {
    file = path.join(stateDir, 'stack.yaml');
    writeFileSync(file, manifest);
  } else {
    file = path.resolve(manifest.path);
  }
  const kubeconfig = path.join(stateDir, 'kubeconfig');
  let out = '';
  const child: ChildProcess = spawn(process.execPath, [...NODE_ARGS, 'sandbox', '-f', file, '--control-plane', controlPlane, '--state-dir', stateDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 180_000;
  while (!existsSync(kubeconfig)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the sandbox did not write ${kubeconfig}:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const realState = stateDir;
  return {
    stateDir, kubeconfig,
    output: () => out,
    kubectl: async (...args) => (await run(kubectlPath(), ['--kubeconfig', kubeconfig, ...args], { timeout: 240_000 })).stdout,
    cli: async (...args) => (await run(process.execPath, [...NODE_ARGS, 'sandbox', ...args, '--state-dir', stateDir], { timeout: 60_000 })).stdout,
    podProcesses: (uids) => {
      const dirs = uids?.map((u) => path.join(realState, 'pods', u.slice(0, 8)));
      const pids: number[] = [];
      for (const entry of readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) continue;
        try {
          const cwd = readlinkSync(`/proc/${entry}/cwd`);
          if (dirs ? dirs.some((d) => cwd.startsWith(`${d}/`)) : cwd.startsWith(`${realState}/`)) pids.push(Number(entry));
        } catch {
          // gone, or not ours to read
        }
      }
      return pids;
    },
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGINT');
      const code = await exited;
      rmSync(stateDir, { recursive: true, force: true });
      return code;
    },
  };
}

