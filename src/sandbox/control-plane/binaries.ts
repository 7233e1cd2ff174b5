/** Where scripts/cluster-build.sh keeps the control plane's binaries, and whether they are built. */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const BUILD_SCRIPT = path.join(REPO, 'scripts', 'cluster-build.sh');
export const BUILD_COMMAND = 'npm run cluster:build';

export type ControlPlaneBinaries = { dir: string } | { missing: string };

/** The build script is the one place that knows the versions and the folder; it is asked, not copied. */
export function controlPlaneBinaries(): ControlPlaneBinaries {
  try {
    return { dir: execFileSync('bash', [BUILD_SCRIPT, '--where'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() };
  } catch (err) {
    const where = String((err as { stdout?: string }).stdout ?? '').trim();
    return { missing: `the Kubernetes control plane is not built${where ? ` (looked in ${where})` : ''}: run '${BUILD_COMMAND}' first (needs Go 1.25 or later; about 15 minutes the first time)` };
  }
}
