/**
 * The real plane: etcd, kube-apiserver, kube-controller-manager and kube-scheduler built from
 * source (scripts/cluster-build.sh), the local runtime registered as their only Node, and the
 * operator installed as users install it: `helm upgrade --install` of the chart, its pods run by
 * the node from the operator's image, under the chart's ServiceAccount and RBAC.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { helmPath } from './cli-tools.js';
import { NODE_NAME } from './control-plane/component-args.js';
import { startControlPlane } from './control-plane/index.js';
import type { Plane } from './plane.js';

const run = promisify(execFile);
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CHART_DIR = path.join(REPO, 'deploy', 'helm', 'webstack-operator');
export const OPERATOR_RELEASE = 'webstack-operator';
export const OPERATOR_NAMESPACE = 'webstack-system';
/** The image name the node maps to this checkout's operator (see runtime/container-plan.ts). */
export const OPERATOR_IMAGE = 'webstack-operator';

/** Newest modification time of the files under `dir`, ms. */
function newest(dir: string): number {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())
    .reduce((t, e) => Math.max(t, statSync(path.join(e.parentPath, e.name)).mtimeMs), 0);
}

/**
 * The operator's image runs `node dist/cli.js` (see the Dockerfile); the node maps the image to
 * this checkout's dist/, which is compiled here when it is missing or older than src/.
 */
export async function ensureOperatorBuild(): Promise<void> {
  const cli = path.join(REPO, 'dist', 'cli.js');
  let built = 0;
  try { built = statSync(cli).mtimeMs; } catch { /* not built yet */ }
  if (built >= newest(path.join(REPO, 'src'))) return;
  try {
    await run(process.execPath, [path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(REPO, 'tsconfig.build.json')], { cwd: REPO, timeout: 300_000 });
  } catch (err) {
    const e = err as { stdout?: string; message: string };
    throw new Error(`building the operator (npm run build) failed: ${(e.stdout ?? e.message).trim()}`, { cause: err });
  }
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
}

/** `helm upgrade --install` of the chart with the image the node can run; waits for the operator's pods. */
export async function installOperator(kubeconfigFile: string, extraValues: string[] = []): Promise<void> {
  const args = ['upgrade', '--install', OPERATOR_RELEASE, CHART_DIR, '--kubeconfig', kubeconfigFile,
    '--namespace', OPERATOR_NAMESPACE, '--create-namespace',
    '--set', `image.repository=${OPERATOR_IMAGE}`, '--set', `image.tag=${packageVersion()}`,
    ...extraValues.flatMap((v) => ['--set', v]), '--wait', '--timeout', '5m'];
  try {
    await run(helmPath(), args, { timeout: 330_000 });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`helm install of the operator failed: ${(e.stderr ?? e.message).trim()}`, { cause: err });
  }
}

export async function startKubePlane(dir: string, kubeconfigFile: string): Promise<Plane> {
  const cp = await startControlPlane({ dir: path.join(dir, 'control-plane') });
  writeFileSync(kubeconfigFile, cp.kubeconfig(), { mode: 0o600 });
  return {
    url: cp.url,
    kubeconfig: cp.kubeconfig(),
    node: { name: NODE_NAME, apiServer: { host: '127.0.0.1', port: cp.port }, kubeletTls: cp.kubeletTls },
    startOperator: async () => {
      await ensureOperatorBuild();
      await installOperator(kubeconfigFile);
      return {
        logs: `kubectl --kubeconfig ${kubeconfigFile} -n ${OPERATOR_NAMESPACE} logs deploy/${OPERATOR_RELEASE}`,
        stop: async () => undefined,
      };
    },
    close: () => cp.close(),
  };
}
