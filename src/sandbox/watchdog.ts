/**
 * What stops the sandbox's processes when the sandbox can't: a SIGKILLed (or crashed) sandbox runs
 * no cleanup, and the operator and the pods' process groups would run on, orphaned. A tiny shell
 * process, in a process group of its own (a Ctrl-C is the sandbox's to handle), waits for it to end;
 * if it ends without stopping the watchdog first, the watchdog runs `sandbox sweep`, which kills
 * every process of the run (runtime/leftovers.ts decides which).
 */
import { spawn } from 'node:child_process';

export interface Watchdog {
  /** A clean stop: the sandbox stopped everything itself. */
  stop(): void;
}

const WAIT_THEN_SWEEP = 'while kill -0 "$SANDBOX_PID" 2>/dev/null; do sleep 1; done; exec "$@"';

export function startWatchdog(stateDir: string): Watchdog {
  const sweep = [process.execPath, ...process.execArgv, process.argv[1], 'sandbox', 'sweep', '--state-dir', stateDir];
  const child = spawn('/bin/sh', ['-c', WAIT_THEN_SWEEP, 'sandbox-watchdog', ...sweep], {
    detached: true, stdio: 'ignore', env: { ...process.env, SANDBOX_PID: String(process.pid) },
  });
  child.unref();
  return {
    stop: () => {
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ }
    },
  };
}
