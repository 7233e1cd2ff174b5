import { afterEach, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { belongsToSandbox, killLeftovers } from '../../../src/sandbox/runtime/leftovers.js';

describe('leftover processes of a killed sandbox', () => {
  it('recognizes pod processes by working dir and the operator by its kubeconfig flag', () => {
    const dir = '/work/.sandbox';
    expect(belongsToSandbox({ pid: 5, cwd: '/work/.sandbox/pods/abc/root', argv: ['haproxy'] }, dir, 1)).toBe(true);
    expect(belongsToSandbox({ pid: 6, cwd: '/work', argv: ['node', 'cli.ts', 'run', '--kubeconfig', '/work/.sandbox/kubeconfig'] }, dir, 1)).toBe(true);
    expect(belongsToSandbox({ pid: 7, cwd: '/work/.sandbox-other/x', argv: [] }, dir, 1)).toBe(false);
    expect(belongsToSandbox({ pid: 1, cwd: '/work/.sandbox/pods/x', argv: [] }, dir, 1)).toBe(false);
  });

  let child: ChildProcess | undefined;
  let dir: string | undefined;
  afterEach(() => {
    child?.kill('SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('kills a real process working inside the state dir', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'leftovers-'));
    const cwd = path.join(dir, 'pods', 'p1', 'root');
    mkdirSync(cwd, { recursive: true });
    child = spawn('sleep', ['60'], { cwd, stdio: 'ignore' });
    const exited = new Promise<string | null>((resolve) => child!.once('exit', (_code, signal) => resolve(signal)));
    await new Promise((r) => setTimeout(r, 100));
    expect(killLeftovers(dir)).toEqual([child.pid]);
    expect(await exited).toBe('SIGKILL');
  });
});
