/** The `sandbox` subcommand's command line. Pure. */
import { parseDuration } from '../../controller/flags.js';
import { CONTROL_PLANES, type ControlPlaneKind } from '../plane.js';

export const DEFAULT_STATE_DIR = '.sandbox';
/**
 * How long `kill` keeps a pod's processes down before the kubelet restarts them: the kubelet's
 * back-off period. A crashed pod that came back at once would hide the failure the operator must
 * notice; a crashed machine takes this long at least to return.
 */
export const DEFAULT_DOWN_FOR_MS = 10_000;

export const SANDBOX_USAGE = `usage:
  webstack-operator sandbox -f FILE [--control-plane embedded|kube] [--state-dir DIR]
                                                           run a WebStack on this machine (Ctrl-C stops it)
  webstack-operator sandbox kill|stop|cont POD [-n NS] [--down-for D] [--state-dir DIR]
                                                           SIGKILL, SIGSTOP or SIGCONT a pod's processes
  webstack-operator sandbox sweep [--state-dir DIR]      stop what a sandbox that was killed left running

  -f, --filename FILE   WebStack manifest(s) to apply (YAML, several documents allowed), or a
                        directory of them (every .yaml, .yml and .json file in it)
  --control-plane P     embedded: the in-memory API server (default, starts at once);
                        kube: the real Kubernetes control plane, built by 'npm run cluster:build',
                        with the operator installed by its Helm chart
  --state-dir DIR       where the kubeconfig, pod files, data and logs live (default: ${DEFAULT_STATE_DIR})
  -n, --namespace NS    the pod's namespace (default: the one namespace where a pod of that name runs)
  --down-for D          kill: how long the pod stays down before it restarts (default: 10s; 0: at once)
  --from POD|operator   partition: what to cut it off from (repeat for several; NS/POD for a pod of
                        another namespace; default: every other pod and the operator; Services'
                        node-level proxies and probes still reach it)
`;

export type SandboxArgs =
  | { mode: 'help' }
  | { mode: 'up'; file: string; stateDir: string; controlPlane: ControlPlaneKind }
  | { mode: 'sweep'; stateDir: string }
  | { mode: 'signal'; signal: 'SIGKILL' | 'SIGSTOP' | 'SIGCONT'; pod: string; namespace?: string; stateDir: string; downForMs: number }
  | { mode: 'partition'; heal: boolean; pod: string; from: string[]; namespace?: string; stateDir: string };

const SIGNALS = { kill: 'SIGKILL', stop: 'SIGSTOP', cont: 'SIGCONT' } as const;

export function parseSandboxArgs(argv: string[]): SandboxArgs {
  let file: string | undefined;
  let stateDir = DEFAULT_STATE_DIR;
  let controlPlane: ControlPlaneKind | undefined;
  let namespace: string | undefined;
  let downForMs: number | undefined;
  const from: string[] = [];
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') return { mode: 'help' };
    const m = /^(--[a-z-]+|-[fn])(?:=(.*))?$/.exec(arg);
    if (!m) {
      positional.push(arg);
      continue;
    }
    const value = m[2] ?? argv[++i];
    if (value === undefined || value === '') throw new Error(`flag ${m[1]} needs a value`);
    switch (m[1]) {
      case '-f': case '--filename': file = value; break;
      case '--state-dir': stateDir = value; break;
      case '--control-plane':
        if (!CONTROL_PLANES.includes(value as ControlPlaneKind)) throw new Error(`--control-plane: '${value}' must be ${CONTROL_PLANES.join(' or ')}`);
        controlPlane = value as ControlPlaneKind;
        break;
      case '-n': case '--namespace': namespace = value; break;
      case '--down-for': downForMs = parseDuration('down-for', value); break;
      case '--from': from.push(value); break;
      default: throw new Error(`unknown flag ${m[1]}`);
    }
  }
  if (positional.length === 0) {
    if (!file) throw new Error('-f FILE is required: the WebStack manifest to run');
    return { mode: 'up', file, stateDir, controlPlane: controlPlane ?? 'embedded' };
  }
  const [verb, pod, ...rest] = positional;
  if (verb === 'sweep') {
    if (pod) throw new Error(`unexpected argument '${pod}'`);
    if (file || controlPlane || from.length > 0) throw new Error(`sweep takes only --state-dir`);
    return { mode: 'sweep', stateDir };
  }
  if (!(verb in SIGNALS) && verb !== 'partition' && verb !== 'heal') throw new Error(`unknown action '${verb}': use kill, stop, cont, partition, heal or sweep`);
  if (!pod) throw new Error(`${verb}: which pod? (kubectl --kubeconfig ${stateDir}/kubeconfig get pods)`);
  if (rest.length > 0) throw new Error(`unexpected argument '${rest[0]}'`);
  if (file) throw new Error(`-f is not used with ${verb}`);
  if (controlPlane) throw new Error(`--control-plane is not used with ${verb}`);
  if (downForMs !== undefined && verb !== 'kill') throw new Error(`--down-for is only used with kill`);
  if (from.length > 0 && verb !== 'partition') throw new Error(`--from is only used with partition`);
  const ns = namespace === undefined ? {} : { namespace };
  if (verb === 'partition' || verb === 'heal') return { mode: 'partition', heal: verb === 'heal', pod, from, ...ns, stateDir };
  return { mode: 'signal', signal: SIGNALS[verb as keyof typeof SIGNALS], pod, ...ns, stateDir, downForMs: downForMs ?? DEFAULT_DOWN_FOR_MS };
}
