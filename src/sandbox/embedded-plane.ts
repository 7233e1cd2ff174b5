/**
 * The default plane: the in-memory API server, the CRD applied to it, and the operator as a
 * child process of the sandbox (its log in DIR/logs/operator.log).
 */
import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { freePort } from './control-plane/index.js';
import { apply } from './manifests.js';
import { DEFAULT_OPERATOR_COMMAND, OPERATOR_FROM_SOURCE } from './runtime/index.js';
import type { Plane } from './plane.js';
import { kubeConfigFrom } from './runtime/cluster.js';
import { SERVICE_NETWORK } from './runtime/addresses.js';
import { containerLogFile, lastLines } from './runtime/container-logs.js';
import { OPERATOR_IMAGE } from './runtime/container-plan.js';

/** How long the operator has to stop on SIGTERM before it is killed. */
const OPERATOR_STOP_GRACE_MS = 10_000;

/** The image the sandbox's stacks run the operator's own subcommands from (the runtime maps it to this program). */
const SANDBOX_OPERATOR_IMAGE = `${OPERATOR_IMAGE}:sandbox`;
const CRD_FILES = ['webstack.yaml', 'webstackbackup.yaml'].map((f) => path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../crds', f));

/** The same Node, loader flags and entry point as this process: works from source and from dist/. */
function selfCommand(): { command: string; args: string[] } {
  return { command: process.execPath, args: [...process.execArgv, process.argv[1]] };
}

export async function startEmbeddedPlane(dir: string, kubeconfigFile: string): Promise<Plane> {
  const { startApiServer } = await import('./apiserver/index.js');
  // kubectl logs: the in-memory server reads the files the runtime writes for each container.
  const api = await startApiServer({
    // Cluster IPs on the runtime's loopback Service network: the addresses kubectl shows answer here.
    // A random start keeps two sandboxes on one machine apart, as the runtime's own pools do.
    serviceNetwork: { network: SERVICE_NETWORK, start: randomInt(256 * 254) },
    podLogs: async (req) => {
      const text = await readFile(containerLogFile(dir, req.namespace, req.pod, req.container), 'utf8').catch(() => '');
      return lastLines(text, req.tailLines);
    },
  });
  try {
    api.writeKubeconfig(kubeconfigFile);
    const client = KubernetesObjectApi.makeApiClient(kubeConfigFrom(api.kubeconfig()));
    const crd = CRD_FILES.flatMap((f) => parseAllDocuments(readFileSync(f, 'utf8')).map((d) => d.toJS() as KubernetesObject).filter(Boolean));
    for (const c of crd) await apply(client, c);
  } catch (err) {
    await api.close();
    throw err;
  }
  return {
    url: api.url,
    kubeconfig: api.kubeconfig(),
    // Pods of the operator's image (a backup store) run the same code as its operator: sources unless it runs built.
    operatorCommand: process.argv[1]?.endsWith('.ts') ? OPERATOR_FROM_SOURCE : DEFAULT_OPERATOR_COMMAND,
    startOperator: async () => {
      const self = selfCommand();
      const args = [...self.args, 'run', '--kubeconfig', kubeconfigFile, '--leader-elect=false',
        '--metrics-port', String(await freePort()), '--health-port', String(await freePort()), '--log-format', 'json',
        // A stack backing up to its volume gets a backup store: the runtime runs this image as the operator's own program.
        '--backup-store-image', SANDBOX_OPERATOR_IMAGE];
      const logs = path.join(dir, 'logs', 'operator.log');
      const log = openSync(logs, 'a');
      // Its own process group, so a Ctrl-C in the terminal reaches only the sandbox, which stops the
      // operator first (and the watchdog if the sandbox itself dies).
      const child = spawn(self.command, args, { stdio: ['ignore', log, log], detached: true });
      closeSync(log);
      const exited = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
      return {
        logs,
        pid: child.pid,
        exited,
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), OPERATOR_STOP_GRACE_MS);
          await exited;
          clearTimeout(timer);
        },
      };
    },
    close: () => api.close(),
  };
}
