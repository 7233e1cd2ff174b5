/**
 * `webstack-operator sandbox -f FILE [--state-dir DIR]`: a whole WebStack on one machine. Starts
 * the in-memory API server (DIR/kubeconfig is written as soon as it listens), installs the CRD,
 * starts the DNS server, the local runtime and the operator (a child process, its log in
 * DIR/logs/operator.log), applies FILE, and prints the stack's URL once it is Ready.
 * `sandbox kill|stop|cont POD` signals the pod's processes in a running sandbox.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CustomObjectsApi, KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { names } from '../api/labels.js';
import { API_VERSION, GROUP, KIND, PLURAL, VERSION } from '../api/types.js';
import { createLogger } from '../log.js';
import { httpStatus, kubeConfigFrom } from './runtime/cluster.js';
import { CONTROL_FILE, readSandboxInfo, signalThroughControl, startControlServer, type SandboxInfo } from './runtime/control.js';
import { killLeftovers } from './runtime/leftovers.js';
import { parseSandboxArgs, SANDBOX_USAGE } from './runtime/sandbox-args.js';

const CRD_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../crds/webstack.yaml');
/** What a previous run left that means nothing to a new, empty API server. */
const RUN_STATE = ['pods', 'volumes', 'logs', 'kubeconfig', CONTROL_FILE];

const say = (line: string) => process.stdout.write(`${line}\n`);

/** A path as the user would type it: relative when under the working directory, else absolute. */
function shown(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith('..') ? rel : p;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function readManifests(file: string): KubernetesObject[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`-f ${file}: ${(err as Error).message}`, { cause: err });
  }
  const docs = parseAllDocuments(text);
  const objects: KubernetesObject[] = [];
  for (const [i, doc] of docs.entries()) {
    if (doc.errors.length > 0) throw new Error(`${file}: document ${i + 1}: ${doc.errors[0].message}`);
    const obj = doc.toJS() as KubernetesObject | null;
    if (!obj) continue;
    if (!obj.apiVersion || !obj.kind || !obj.metadata?.name) throw new Error(`${file}: document ${i + 1} needs apiVersion, kind and metadata.name`);
    obj.metadata.namespace ??= 'default';
    objects.push(obj);
  }
  if (!objects.some((o) => o.kind === KIND)) throw new Error(`${file}: no ${KIND} in it (apiVersion ${API_VERSION})`);
  return objects;
}

/** Create, or replace what exists: `kubectl apply` for a file the sandbox itself starts from. */
async function apply(client: KubernetesObjectApi, obj: KubernetesObject): Promise<string> {
  try {
    await client.create(obj);
    return 'created';
  } catch (err) {
    if (httpStatus(err) !== 409) throw err;
    const current = await client.read({ apiVersion: obj.apiVersion!, kind: obj.kind!, metadata: { name: obj.metadata!.name!, namespace: obj.metadata!.namespace } });
    await client.replace({ ...obj, metadata: { ...obj.metadata, resourceVersion: current.metadata?.resourceVersion } });
    return 'configured';
  }
}

async function retry<T>(what: string, fn: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`${what}: ${(err as Error).message ?? String(err)}`, { cause: err });
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

interface StackState { ready: boolean; message: string }

async function stackState(custom: CustomObjectsApi, ns: string, name: string): Promise<StackState> {
  const ws = await custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: PLURAL, name }) as {
    status?: { conditions?: Array<{ type: string; status: string; reason?: string; message?: string }> };
  };
  const ready = ws.status?.conditions?.find((c) => c.type === 'Ready');
  return { ready: ready?.status === 'True', message: ready ? `${ready.reason ?? ''}: ${ready.message ?? ''}` : 'waiting for the operator' };
}

function operatorCommand(kubeconfig: string, metricsPort: number, healthPort: number): { command: string; args: string[] } {
  // The same Node, loader flags and entry point as this process: works from source and from dist/.
  return {
    command: process.execPath,
    args: [...process.execArgv, process.argv[1], 'run', '--kubeconfig', kubeconfig, '--leader-elect=false',
      '--metrics-port', String(metricsPort), '--health-port', String(healthPort), '--log-format', 'json'],
  };
}

async function up(file: string, stateDir: string): Promise<number> {
  const objects = readManifests(file);
  // Loaded here, so `sandbox kill|stop|cont` starts fast and needs none of them.
  const [{ startApiServer }, { startDnsServer }, { startRuntime }] = await Promise.all([
    import('./apiserver/index.js'), import('./dns/server.js'), import('./runtime/index.js'),
  ]);
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
  let operator: ChildProcess | undefined;
  let shuttingDown = false;
  const shutdown = async () => {
    shuttingDown = true;
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  };
  try {
    const api = await startApiServer();
    cleanups.push(() => api.close());
    api.writeKubeconfig(kubeconfig);
    const rel = shown(kubeconfig);
    say(`API server ${api.url}; kubeconfig: ${rel}`);
    say(`  kubectl --kubeconfig ${rel} get ws,pods,svc -A`);

    const kc = kubeConfigFrom(api.kubeconfig());
    const client = KubernetesObjectApi.makeApiClient(kc);
    const custom = kc.makeApiClient(CustomObjectsApi);
    const crd = parseAllDocuments(readFileSync(CRD_FILE, 'utf8')).map((d) => d.toJS() as KubernetesObject).filter(Boolean);
    for (const c of crd) await apply(client, c);

    const dns = await startDnsServer();
    cleanups.push(() => dns.close());
    const runtime = await startRuntime({ kubeconfig: api.kubeconfig(), stateDir: dir, log, dns });
    cleanups.push(() => runtime.close(10_000));
    const control = await startControlServer(runtime);
    cleanups.push(() => control.close());
    const info: SandboxInfo = { pid: process.pid, control: control.url, apiserver: api.url, dns: dns.address };
    writeFileSync(path.join(dir, CONTROL_FILE), JSON.stringify(info, null, 2));
    cleanups.push(async () => rmSync(path.join(dir, CONTROL_FILE), { force: true }));

    const { command, args } = operatorCommand(kubeconfig, await freePort(), await freePort());
    const operatorLog = openSync(path.join(dir, 'logs', 'operator.log'), 'a');
    // The operator reaches database pods by their cluster names; like the demo app, it can resolve
    // them through the sandbox DNS named here (the host's resolver knows no cluster names).
    const env = { ...process.env };
    operator = spawn(command, args, { stdio: ['ignore', operatorLog, operatorLog], env });
    const exited = new Promise<number>((resolve) => operator!.once('exit', (code) => resolve(code ?? 1)));
    cleanups.push(async () => {
      if (operator?.exitCode === null) operator.kill('SIGTERM');
      await exited;
    });
    say(`operator started (pid ${operator.pid}); logs in ${shown(path.join(dir, 'logs'))}/`);

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
    const outcome = await Promise.race([stop, exited.then((code) => ({ operatorExit: code })), waitReady.then(() => stop)]);
    if (typeof outcome === 'object' && !shuttingDown) {
      say(`the operator exited with code ${outcome.operatorExit}; see ${path.join(dir, 'logs', 'operator.log')}`);
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
  return up(args.file, args.stateDir);
}
