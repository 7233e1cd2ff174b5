/**
 * `webstack-operator sandbox kill|stop|cont POD` (and partition, heal, sweep) are what a user types
 * while a stack runs, and what the end-to-end tests run many times: they load only the control
 * client, never the start-up machinery (planes, runtime, Kubernetes client), which took a second
 * and more to load before they could answer.
 */
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Every module URL the process resolves, appended to $LOADED_MODULES (the hooks run on a thread of their own). */
const HOOKS = `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(process.env.LOADED_MODULES, result.url + '\\n');
  return result;
}
`;

async function modulesLoadedBy(args: string[]): Promise<{ loaded: string[]; stderr: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sandbox-cmd-'));
  try {
    writeFileSync(path.join(dir, 'hooks.mjs'), HOOKS);
    writeFileSync(path.join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n`);
    const log = path.join(dir, 'loaded.txt');
    writeFileSync(log, '');
    const stderr = await run(process.execPath, ['--import', '@swc-node/register/esm-register', '--import', path.join(dir, 'register.mjs'), 'src/cli.ts', 'sandbox', ...args],
      { env: { ...process.env, LOADED_MODULES: log } }).then(() => '', (err: { stderr: string }) => err.stderr);
    return { loaded: readFileSync(log, 'utf8').split('\n').filter(Boolean), stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('webstack-operator sandbox kill|stop|cont', () => {
  it('loads the control client only: no plane, runtime or Kubernetes client', async () => {
    const stateDir = mkdtempSync(path.join(os.tmpdir(), 'sandbox-cmd-state-'));
    try {
      const { loaded, stderr } = await modulesLoadedBy(['stop', 'shop-web-0', '--state-dir', stateDir]);
      expect(stderr).toContain(`no sandbox is running with state dir ${stateDir}`);
      expect(loaded).toContainEqual(expect.stringMatching(/\/src\/sandbox\/runtime\/control\.ts$/));
      expect(loaded.filter((url) => /\/src\/sandbox\/(up|embedded-plane|kube-plane|runtime\/index)\.ts$|@kubernetes\/client-node/.test(url))).toEqual([]);
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
