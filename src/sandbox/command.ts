/**
 * `webstack-operator sandbox -f FILE [--control-plane embedded|kube] [--state-dir DIR]`: a whole
 * WebStack on one machine. Starts a plane (plane.ts: the in-memory API server, or the real
 * Kubernetes control plane), writes DIR/kubeconfig, starts the DNS server and the local runtime,
 * then the operator, applies FILE, and prints the stack's URL once it is Ready.
 * `sandbox kill|stop|cont POD` signals the pod's processes in a running sandbox.
 */
import { createWriteStream, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CustomObjectsApi, KubernetesObjectApi } from '@kubernetes/client-node';
import { names } from '../api/labels.js';
import { GROUP, KIND, PLURAL, VERSION } from '../api/types.js';
import { createLogger } from '../log.js';
import { startEmbeddedPlane } from './embedded-plane.js';
import { startKubePlane } from './kube-plane.js';
import { apply, readManifests, retry } from './manifests.js';
import type { ControlPlaneKind, OperatorHandle, Plane } from './plane.js';
import { httpStatus, kubeConfigFrom } from './runtime/cluster.js';
import { CONTROL_FILE, readSandboxInfo, signalThroughControl, startControlServer, type SandboxInfo } from './runtime/control.js';
import { killLeftovers } from './runtime/leftovers.js';
import { parseSandboxArgs, SANDBOX_USAGE } from './runtime/sandbox-args.js';

/** What a previous run left that means nothing to a new, empty API server. */
const RUN_STATE = ['pods', 'volumes', 'logs', 'kubeconfig', 'control-plane', CONTROL_FILE];

const say = (line: string) => process.stdout.write(`${line}\n`);

/** A path as the user would type it: relative when under the working directory, else absolute. */
function shown(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith('..') ? rel : p;
}

interface StackState { ready: boolean; message: string }

async function stackState(custom: CustomObjectsApi, ns: string, name: string): Promise<StackState> {
  const ws = await custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: PLURAL, name }) as {
    status?: { conditions?: Array<{ type: string; status: string; reason?: string; message?: string }> };
  };
  const ready = ws.status?.conditions?.find((c) => c.type === 'Ready');
  return { ready: ready?.status === 'True', message: ready ? `${ready.reason ?? ''}: ${ready.message ?? ''}` : 'waiting for the operator' };
}

async function up(file: string, stateDir: string, controlPlane: ControlPlaneKind): Promise<number> {
  const objects = readManifests(file);
  // Loaded here, so `sandbox kill|stop|cont` starts fast and needs none of them.
  const [{ startDnsServer }, { startRuntime }] = await Promise.all([import('./dns/server.js'), import('./runtime/index.js')]);
  const dir = path.resolve(stateDir);
  if (existsSync(path.join(dir, CONTROL_FILE))) {
    let running: SandboxInfo | undefined;
    try { running = readSandboxInfo(dir); } catch { /* a stale file from a run that was killed */ }
    if (running) throw new Error(`a sandbox is already running with state dir ${stateDir} (pid ${running.pid}); stop it with Ctrl-C or use another --state-dir`);
  }
  const leftovers = killLeftovers(dir);
  if (leftovers.length > 0) say(`stopped ${leftovers.length} process(es) an earlier run in ${stateDir} left behind`);
  for (const entry of RUN_STATE) rmSync(path.join(dir, entry), { recursive: true, force: true });
  mkdirSync(path.join(dir, 'logs'), { recursive: true });
  const kubeconfig = path.join(dir, 'kubeconfig');
  const log = createLogger({ format: 'json', stream: createWriteStream(path.join(dir, 'logs', 'runtime.log')) });

  const cleanups: Array<() => Promise<unknown>> = [];
  let shuttingDown = false;
  const shutdown = async () => {
    shuttingDown = true;
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  };
  try {
    if (controlPlane === 'kube') say('starting etcd, kube-apiserver, kube-controller-manager and kube-scheduler...');
    const plane: Plane = controlPlane === 'kube' ? await startKubePlane(dir, kubeconfig) : await startEmbeddedPlane(dir, kubeconfig);
    cleanups.push(() => plane.close());
    const rel = shown(kubeconfig);
    say(`API server ${plane.url}; kubeconfig: ${rel}`);
    say(`  kubectl --kubeconfig ${rel} get ws,pods,svc -A`);

    const kc = kubeConfigFrom(plane.kubeconfig);
    const client = KubernetesObjectApi.makeApiClient(kc);
    const custom = kc.makeApiClient(CustomObjectsApi);

    const dns = await startDnsServer();
    cleanups.push(() => dns.close());
    const runtime = await startRuntime({ kubeconfig: plane.kubeconfig, stateDir: dir, log, dns, node: plane.node });
    cleanups.push(() => runtime.close(10_000));
    const control = await startControlServer(runtime);
    cleanups.push(() => control.close());
    const info: SandboxInfo = { pid: process.pid, control: control.url, apiserver: plane.url, dns: dns.address };
    writeFileSync(path.join(dir, CONTROL_FILE), JSON.stringify(info, null, 2));
    cleanups.push(async () => rmSync(path.join(dir, CONTROL_FILE), { force: true }));

    if (controlPlane === 'kube') say('installing the operator with its Helm chart...');
    const operator: OperatorHandle = await plane.startOperator(runtime);
    cleanups.push(() => operator.stop());
    say(`operator started; logs: ${operator.logs.startsWith('/') ? shown(operator.logs) : operator.logs}`);

    for (const ns of new Set(objects.map((o) => o.metadata!.namespace!))) {
      await apply(client, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }).catch((err) => {
        if (httpStatus(err) !== 409) throw err;
      });
    }
    for (const obj of objects) {
      const result = await retry(`apply ${obj.kind} ${obj.metadata?.name}`, () => apply(client, obj), 15_000);
      say(`${obj.kind!.toLowerCase()}/${obj.metadata!.name} ${result}`);
    }

    const stop = new Promise<'signal'>((resolve) => {
      process.once('SIGINT', () => resolve('signal'));
      process.once('SIGTERM', () => resolve('signal'));
    });
    const stacks = objects.filter((o) => o.kind === KIND);
    const waitReady = (async () => {
      let last = '';
      for (const s of stacks) {
        for (;;) {
          const state = await stackState(custom, s.metadata!.namespace!, s.metadata!.name!).catch((err) => ({ ready: false, message: String(err) }));
          if (state.ready) break;
          if (state.message !== last) say(`${s.metadata!.name}: ${state.message}`);
          last = state.message;
          if (shuttingDown) return;
          await new Promise((r) => setTimeout(r, 1000));
        }
        const svc = names.haproxy(s.metadata!.name!);
        const addr = await retry('the load balancer address', async () => {
          const a = runtime.serviceAddress(s.metadata!.namespace!, svc);
          if (!a || Object.keys(a.ports).length === 0) throw new Error(`Service ${svc} has no address yet`);
          return a;
        }, 30_000);
        const port = Object.values(addr.ports)[0];
        say(`\n${s.metadata!.name} is Ready: http://${addr.ip}:${port}/`);
      }
      const kcRel = shown(kubeconfig);
      const dirFlag = path.resolve(stateDir) === path.resolve('.sandbox') ? '' : ` --state-dir ${stateDir}`;
      const namespace = stacks[0]?.metadata?.namespace ?? 'default';
      const nsFlag = namespace === 'default' ? '' : ` -n ${namespace}`;
      say(`\nBreak things and watch the stack heal:`);
      say(`  kubectl --kubeconfig ${kcRel}${nsFlag} get pods -L webstack.dev/role      find the primary database pod`);
      say(`  npm run sandbox -- kill <pod>${nsFlag}${dirFlag}     SIGKILL a pod's processes (down 10s, then restarted)`);
      say(`  npm run sandbox -- stop <pod>${nsFlag}${dirFlag}     SIGSTOP (hang) them; 'cont' resumes`);
      say(`  kubectl --kubeconfig ${kcRel}${nsFlag} delete pod <pod>`);
      say(`Ctrl-C stops everything.`);
    })();
    const exited = operator.exited?.then((code) => ({ operatorExit: code })) ?? new Promise<never>(() => undefined);
    const outcome = await Promise.race([stop, exited, waitReady.then(() => stop)]);
    if (typeof outcome === 'object' && !shuttingDown) {
      say(`the operator exited with code ${outcome.operatorExit}; see ${shown(operator.logs)}`);
      await shutdown();
      return 1;
    }
    say('stopping...');
    await shutdown();
    say('stopped');
    return 0;
  } catch (err) {
    await shutdown();
    throw err;
  }
}

export async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseSandboxArgs(argv);
  } catch (err) {
    process.stderr.write(`webstack-operator sandbox: ${(err as Error).message}\n${SANDBOX_USAGE}`);
    return 2;
  }
  if (args.mode === 'help') {
    process.stdout.write(SANDBOX_USAGE);
    return 0;
  }
  if (args.mode === 'signal') {
    say(await signalThroughControl(args.stateDir, args.namespace, args.pod, args.signal, args.downForMs));
    return 0;
  }
  return up(args.file, args.stateDir, args.controlPlane);
}
