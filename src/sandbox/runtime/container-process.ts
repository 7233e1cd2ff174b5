/**
 * One container as a local process: started in a process group of its own (so a signal reaches
 * a shell script and the server it runs alike), restarted with back-off when it exits, its output
 * appended to a log file. Reports every state change to the pod.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { nextBackoff, shouldRestart } from './restart-policy.js';

export interface ContainerLaunch {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  /** Runs before every start (e.g. deriving haproxy's config); a failure counts as a failed start. */
  prepare?: () => Promise<void>;
  /** Sent first on stop (the image's STOPSIGNAL); SIGTERM when unset. */
  stopSignal?: NodeJS.Signals;
}

export type ContainerState =
  | { state: 'waiting'; reason: string; message?: string }
  | { state: 'running'; startedAt: Date; pid: number }
  | { state: 'terminated'; exitCode: number; signal?: string; reason: string; startedAt?: Date; finishedAt: Date };

export class ContainerProcess {
  restartCount = 0;
  current: ContainerState = { state: 'waiting', reason: 'ContainerCreating' };
  lastTermination: ContainerState | undefined;
  private child: ChildProcess | undefined;
  private stopping = false;
  private backoffMs = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private holdUntil = 0;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    readonly name: string,
    private readonly launch: ContainerLaunch,
    private readonly logFile: string,
    private readonly restartPolicy: string | undefined,
    private readonly onChange: () => void,
  ) {}

  get pid(): number | undefined {
    return this.current.state === 'running' ? this.current.pid : undefined;
  }

  start(): void {
    void this.startOnce();
  }

  private async startOnce(): Promise<void> {
    if (this.stopping) return;
    try {
      await this.launch.prepare?.();
    } catch (err) {
      this.finished({ state: 'terminated', exitCode: 1, reason: 'StartError', finishedAt: new Date() }, (err as Error).message, 0);
      return;
    }
    if (this.stopping) return;
    const out = openSync(this.logFile, 'a');
    const startedAt = new Date();
    let child: ChildProcess;
    try {
      child = spawn(this.launch.command, this.launch.args, { env: this.launch.env, cwd: this.launch.cwd, detached: true, stdio: ['ignore', out, out] });
    } finally {
      closeSync(out);
    }
    this.child = child;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.child = undefined;
        // A container ends with its main process: whatever it left running in its group goes too.
        try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* the group is already empty */ }
        const terminated: ContainerState = {
          state: 'terminated', exitCode: code ?? 128 + signalNumber(signal), ...(signal ? { signal } : {}),
          reason: code === 0 ? 'Completed' : 'Error', startedAt, finishedAt: new Date(),
        };
        this.finished(terminated, undefined, Date.now() - startedAt.getTime());
        resolve();
      });
    });
    child.once('error', (err) => {
      // spawn failed (no such program): 'exit' may not follow.
      if (this.child === child) {
        this.child = undefined;
        this.finished({ state: 'terminated', exitCode: 127, reason: 'StartError', finishedAt: new Date() }, err.message, 0);
      }
    });
    if (child.pid !== undefined) {
      this.current = { state: 'running', startedAt, pid: child.pid };
      this.onChange();
    }
  }

  private finished(terminated: ContainerState, message: string | undefined, ranForMs: number): void {
    this.lastTermination = terminated;
    if (this.stopping) {
      this.current = terminated;
      this.onChange();
      return;
    }
    const code = terminated.state === 'terminated' ? terminated.exitCode : 1;
    if (!shouldRestart(this.restartPolicy, code)) {
      this.current = terminated;
      this.onChange();
      return;
    }
    this.backoffMs = nextBackoff(this.backoffMs, ranForMs);
    const delay = Math.max(this.backoffMs, this.holdUntil - Date.now());
    this.current = { state: 'waiting', reason: 'CrashLoopBackOff', message: message ?? `back-off ${delay}ms restarting failed container ${this.name}` };
    this.onChange();
    this.restartAfter(delay);
  }

  /** Restarts the container after `ms`, never before a hold has passed: a timer may fire a millisecond before the wall clock gets there. */
  private restartAfter(ms: number): void {
    this.restartTimer = setTimeout(() => {
      const held = this.holdUntil - Date.now();
      if (held > 0) {
        this.restartAfter(held);
        return;
      }
      this.restartTimer = undefined;
      this.restartCount++;
      void this.startOnce();
    }, ms);
  }

  /** Keeps the next restart from happening before `ms` from now (a crashed machine takes a while to return). */
  holdRestart(ms: number): void {
    this.holdUntil = Date.now() + ms;
  }

  /** Sends a signal to the container's whole process group. */
  signal(sig: NodeJS.Signals): boolean {
    const pid = this.pid;
    if (pid === undefined) return false;
    try {
      process.kill(-pid, sig);
      return true;
    } catch {
      return false;
    }
  }

  /** The stop signal (SIGTERM unless the image says otherwise), then SIGKILL after the grace period; no restart afterwards. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (!this.child) return;
    // A stopped (SIGSTOP) process would not act on its stop signal.
    this.signal('SIGCONT');
    this.signal(this.launch.stopSignal ?? 'SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

function signalNumber(signal: NodeJS.Signals | null): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15, SIGSEGV: 11, SIGABRT: 6 };
  return signal ? numbers[signal] ?? 0 : 0;
}
