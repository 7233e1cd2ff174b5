/**
 * Ctrl-C ends the sandbox and every process it started, at any moment of its start-up: SIGINT at
 * each milestone it prints and at random moments, then nothing of the run is left (no pod
 * process, no operator) and nothing is printed after `stopped`. A sandbox that is SIGKILLed takes
 * its children with it (its watchdog sweeps them).
 */
import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const CLI = path.resolve('src/cli.ts');
const STACK = `
apiVersion: webstack.dev/v1alpha1
kind: WebStack
metadata: {name: tiny}
spec:
  loadBalancer: {replicas: 1}
  apps: [{name: web, image: ghcr.io/acme/shop:1.4, replicas: 1}]
  database: {engine: mariadb, replicas: 1, replication: {mode: async}}
  networkPolicy: {enabled: false}
`;

/** Pids of processes that work in the state dir or name it on their command line (the operator). */
function processesOf(stateDir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cwd.startsWith(`${stateDir}/`) || cmdline.includes(stateDir)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** When to interrupt: once the output matches (plus a delay), or a time after spawning. */
type Moment = { afterLine: RegExp; plusMs?: number } | { afterMs: number };

interface Trial { output: string; code: number | null; signal: string | null; left: number[]; interruptedAfter: string }

async function interruptAt(moment: Moment, signal: 'SIGINT' | 'SIGKILL' = 'SIGINT'): Promise<Trial> {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'sb-int-'));
  const file = path.join(stateDir, 'stack.yaml');
  writeFileSync(file, STACK);
  const child = spawn(process.execPath, ['--import', '@swc-node/register/esm-register', CLI, 'sandbox', '-f', file, '--state-dir', stateDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<[number | null, string | null]>((resolve) => child.once('exit', (code, sig) => resolve([code, sig])));
  let interruptedAfter = '';
  let lineSeen = false;
  const fire = () => {
    if (interruptedAfter || child.exitCode !== null) return;
    interruptedAfter = output.trim().split('\n').pop() ?? '';
    child.kill(signal);
  };
  const onData = (d: Buffer) => {
    output += d.toString();
    if ('afterLine' in moment && !lineSeen && moment.afterLine.test(output)) {
      lineSeen = true;
      setTimeout(fire, moment.plusMs ?? 0);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const timer = 'afterMs' in moment ? setTimeout(fire, moment.afterMs) : undefined;
  // A moment the run never reaches would leave it running: the test ends it and fails.
  const guard = setTimeout(() => { if (!interruptedAfter) { interruptedAfter = '(never reached)'; child.kill('SIGINT'); } }, 90_000);
  const [code, sig] = await exited;
  clearTimeout(timer);
  clearTimeout(guard);
  // SIGKILLed: its watchdog notices within a second and sweeps what the run left.
  const sweepDeadline = Date.now() + (signal === 'SIGKILL' ? 30_000 : 0);
  let left = processesOf(stateDir);
  while (left.length > 0 && Date.now() < sweepDeadline) {
    await new Promise((r) => setTimeout(r, 250));
    left = processesOf(stateDir);
  }
  for (const pid of left) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
  rmSync(stateDir, { recursive: true, force: true });
  return { output, code, signal: sig, left, interruptedAfter };
}

function expectCleanStop(t: Trial): void {
  expect({ after: t.interruptedAfter, left: t.left }).toEqual({ after: t.interruptedAfter, left: [] });
  if (t.signal === 'SIGINT') {
    // Before it takes Ctrl-C over (Node still loading) the sandbox dies of it, having started nothing.
    expect(t.output).not.toContain('API server');
    return;
  }
  expect(t.code).toBe(0);
  // `stopped` is the last thing said; no error from a loop that outlived the API server.
  expect(t.output.trimEnd().split('\n').pop()).toBe('stopped');
  expect(t.output).not.toMatch(/FetchError|ECONNREFUSED|Error:/);
}

const milestones: Array<[string, Moment]> = [
  ['while pods start', { afterLine: /pod tiny-mysql-0: / }],
  ['once the stack is Ready', { afterLine: /tiny is Ready: http/ }],
];
/**
 * Random moments of the 10 s after the API server is up (runtime, operator, apply, the first pods):
 * with the milestones, 10 Ctrl-Cs a run; each run draws new moments.
 */
const randomMoments: Array<[string, Moment]> = Array.from({ length: 8 }, () => Math.floor(Math.random() * 10_000))
  .map((ms) => [`${ms} ms after the API server listens`, { afterLine: /API server http/, plusMs: ms }]);

// Five at a time (jest runs 5 concurrent tests): each trial is mostly waiting for its sandbox to start.
describe('Ctrl-C during the sandbox start-up', () => {
  it.concurrent.each([...milestones, ...randomMoments])('stops every process when it comes %s', async (_, moment) => {
    expectCleanStop(await interruptAt(moment));
  }, 150_000);

  it.concurrent('takes the operator and the pods with it when it is SIGKILLed', async () => {
    const t = await interruptAt({ afterLine: /pod tiny-mysql-0: / }, 'SIGKILL');
    expect(t.signal).toBe('SIGKILL');
    expect(t.left).toEqual([]);
  }, 150_000);
});
