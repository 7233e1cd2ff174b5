import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { kubectlPath } from '../../../src/sandbox/cli-tools.js';
import { eventually } from './harness.js';

const dir = mkdtempSync(path.join(tmpdir(), 'apiserver-cmd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = ['--import', '@swc-node/register/esm-register', 'src/cli.ts', 'apiserver'];

describe('webstack-operator apiserver', () => {
  it('runs alone, writes a kubeconfig kubectl can use, and stops cleanly on SIGTERM', async () => {
    const kubeconfig = path.join(dir, 'kubeconfig');
    const child = spawn(process.execPath, [...cli, '--port', '0', '--kubeconfig-out', kubeconfig], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      // Written once the server listens; a read in the middle of the write would see it empty.
      await eventually(() => existsSync(kubeconfig) && readFileSync(kubeconfig, 'utf8').includes('current-context'), 30000);
      const config = parse(readFileSync(kubeconfig, 'utf8'));
      expect(config['current-context']).toBe('sandbox');
      expect(config.clusters[0].cluster.server).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(config.contexts[0].context.namespace).toBe('default');
      const out = await new Promise<string>((resolve, reject) =>
        execFile(kubectlPath(), ['--kubeconfig', kubeconfig, '--cache-dir', path.join(dir, 'cache'), 'get', 'namespaces', '-o', 'name'], { timeout: 30000 }, (err, stdout) => (err ? reject(err) : resolve(stdout))),
      );
      expect(out.split('\n')).toEqual(expect.arrayContaining(['namespace/default', 'namespace/kube-system']));
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('refuses a bad flag with exit code 2 naming it', async () => {
    const result = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile(process.execPath, [...cli, '--port', 'http'], (err, _stdout, stderr) => resolve({ code: (err as { code?: number } | null)?.code ?? 0, stderr })),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--port must be a port number, got 'http'");
  });
});
