/**
 * `webstack-operator sandbox -f FILE`: starts a plane (plane.ts: the in-memory API server, or the
 * real Kubernetes control plane), writes DIR/kubeconfig, starts the DNS server and the local
 * runtime, then the operator, applies FILE with kubectl, and prints the stack's URL once it is
 * Ready, then its Events as they happen. A FILE it cannot run is refused before anything starts.
 */
import { createWriteStream, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { names } from '../api/labels.js';
import { KIND, type WebStack } from '../api/types.js';
import { createLogger, type Logger } from '../log.js';
import { startDnsServer } from './dns/server.js';
import { startEmbeddedPlane } from './embedded-plane.js';
import { startKubePlane } from './kube-plane.js';
import { apply, kubectlApply, readManifests } from './manifests.js';
import type { ControlPlaneKind, OperatorHandle, Plane } from './plane.js';
import { missingTlsSecrets, preflightProblems } from './preflight.js';
import { httpStatus, kubeConfigFrom } from './runtime/cluster.js';
import { CONTROL_FILE, readSandboxInfo, startControlServer, type SandboxInfo } from './runtime/control.js';
import { mysqldIsMariadb, which } from './runtime/host-tools.js';
import { startRuntime, type Runtime } from './runtime/index.js';
import { killLeftovers } from './runtime/leftovers.js';
import { Partitions } from './runtime/partitions.js';
import { monitorStacks, type StackRef } from './stack-monitor.js';
import { certificateName, selfSignedTlsSecret } from './tls-secret.js';
import { startWatchdog } from './watchdog.js';

/** What a previous run left that means nothing to a new, empty API server. */
const RUN_STATE = ['pods', 'volumes', 'logs', 'kubeconfig', 'control-plane', CONTROL_FILE];

const say = (line: string) => process.stdout.write(`${line}\n`);

/** A path as the user would type it: relative when under the working directory, else absolute. */
function shown(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith('..') ? rel : p;
}

/** Thrown out of start-up when Ctrl-C arrives: what already started is stopped, nothing more begins. */
class Stopped extends Error {}

/** A real MySQL server on this machine (Debian's `mysqld` is MariaDB's and can't play MySQL 8.4). */
function hasMysqld(): boolean {
  return which('mysqld') !== undefined && !mysqldIsMariadb();
}

export async function up(file: string, stateDir: string, controlPlane: ControlPlaneKind): Promise<number> {
  const objects = readManifests(file);
  const problems = preflightProblems(file, objects, { mysqld: hasMysqld() });
  if (problems.length > 0) throw new Error(`${problems.join('\n')}\nthe sandbox started nothing`);
  const dir = path.resolve(stateDir);
  if (existsSync(path.join(dir, CONTROL_FILE))) {
    let running: SandboxInfo | undefined;
    try { running = readSandboxInfo(dir); } catch { /* a stale file from a run that was killed */ }
    if (running) throw new Error(`a sandbox is already running with state dir ${stateDir} (pid ${running.pid}); stop it with Ctrl-C or use another --state-dir`);
  }

  // Ctrl-C is ours from here on: it must stop every process this run starts, at any moment.
  const stop = new AbortController();
  const watchdog = startWatchdog(dir);
  const onSignal = () => {
    if (stop.signal.aborted) return;
    say('stopping...');
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const stopped = new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve(), { once: true }));
  const stoppedDuringStep = stopped.then(() => { throw new Stopped(); });
  stoppedDuringStep.catch(() => undefined);

  const cleanups: Array<() => Promise<unknown>> = [];
  const shutdown = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    cleanups.length = 0;
  };
  /**
   * One start-up step: its cleanup is registered before it is awaited, and Ctrl-C doesn't wait for
   * it to finish (the cleanup does, then undoes it).
   */
  const step = async <T>(started: Promise<T>, close: (value: T) => Promise<unknown>): Promise<T> => {
    cleanups.push(async () => {
      const value = await started.catch(() => undefined);
      if (value !== undefined) await close(value);
    });
    return Promise.race([started, stoppedDuringStep]);
  };
  const checkStop = () => { if (stop.signal.aborted) throw new Stopped(); };

  const monitorDone = new AbortController();
  let monitor: Promise<void> = Promise.resolve();
  try {
    const leftovers = killLeftovers(dir);
    if (leftovers.length > 0) say(`stopped ${leftovers.length} process(es) an earlier run in ${stateDir} left behind`);
    for (const entry of RUN_STATE) rmSync(path.join(dir, entry), { recursive: true, force: true });
    mkdirSync(path.join(dir, 'logs'), { recursive: true });
    cleanups.push(async () => watchdog.stop());
    const kubeconfig = path.join(dir, 'kubeconfig');
    const log = createLogger({ format: 'json', stream: createWriteStream(path.join(dir, 'logs', 'runtime.log')) });

    if (controlPlane === 'kube') say('starting etcd, kube-apiserver, kube-controller-manager and kube-scheduler...');
    const plane: Plane = await step(controlPlane === 'kube' ? startKubePlane(dir, kubeconfig) : startEmbeddedPlane(dir, kubeconfig), (p) => p.close());
    const rel = shown(kubeconfig);
    say(`API server ${plane.url}; kubeconfig: ${rel}`);
    say(`  kubectl --kubeconfig ${rel} get ws,pods,svc -A`);

    const kc = kubeConfigFrom(plane.kubeconfig);
    const client = KubernetesObjectApi.makeApiClient(kc);

    const dns = await step(startDnsServer(), (d) => d.close());
    const partitions = openPartitions(log);
    if (!(partitions instanceof Error)) cleanups.push(async () => partitions.close());
    const runtime = await step(startRuntime({ kubeconfig: plane.kubeconfig, stateDir: dir, log, dns, node: plane.node, operatorCommand: plane.operatorCommand,
      partitions: partitions instanceof Error ? undefined : partitions }), (r) => r.close(10_000));
    const control = await step(startControlServer(runtime, partitions), (c) => c.close());
    const info: SandboxInfo = { pid: process.pid, control: control.url, apiserver: plane.url, dns: dns.address };
    writeFileSync(path.join(dir, CONTROL_FILE), JSON.stringify(info, null, 2));
    cleanups.push(async () => rmSync(path.join(dir, CONTROL_FILE), { force: true }));

    if (controlPlane === 'kube') say('installing the operator with its Helm chart...');
    const operator: OperatorHandle = await step(plane.startOperator(runtime), (o) => o.stop());
    say(`operator started; logs: ${operator.logs.startsWith('/') ? shown(operator.logs) : operator.logs}`);
    if (!(partitions instanceof Error) && operator.pid !== undefined) {
      partitions.add('operator');
      partitions.place('operator', operator.pid);
    }

    for (const ns of new Set(objects.map((o) => o.metadata!.namespace!))) {
      await step(apply(client, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }).catch((err) => {
        if (httpStatus(err) !== 409) throw err;
      }), async () => undefined);
    }
    for (const ref of missingTlsSecrets(objects)) {
      const secret = await step(selfSignedTlsSecret(ref), async () => undefined);
      await step(apply(client, secret), async () => undefined);
      say(`secret/${ref.name} generated: ${file} names no Secret ${ref.name}, so a self-signed certificate for ${certificateName(ref)} serves HTTPS (curl -k)`);
    }
    for (const line of await step(kubectlApply(kubeconfig, file), async () => undefined)) say(line);
    checkStop();

    const stacks: StackRef[] = objects.filter((o) => o.kind === KIND).map((o) => ({ namespace: o.metadata!.namespace!, name: o.metadata!.name! }));
    monitor = monitorStacks({
      kc, stacks, say, signal: monitorDone.signal,
      url: (s) => stackUrl(runtime, objects, s),
      onAllReady: () => breakThingsHints(kubeconfig, stateDir, stacks[0]?.namespace ?? 'default'),
    });
    const exited = operator.exited?.then((code) => ({ operatorExit: code })) ?? new Promise<never>(() => undefined);
    const outcome = await Promise.race([stopped, exited]);
    monitorDone.abort();
    await monitor;
    if (outcome && !stop.signal.aborted) {
      say(`the operator exited with code ${outcome.operatorExit}; see ${shown(operator.logs)}`);
      await shutdown();
      return 1;
    }
    await shutdown();
    say('stopped');
    return 0;
  } catch (err) {
    monitorDone.abort();
    await monitor;
    await shutdown();
    if (err instanceof Stopped) {
      say('stopped');
      return 0;
    }
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    // Every child is stopped by now; a socket or timer a library left open must not keep this process
    // (and the addresses it held) alive. Unref'd: a process that ends by itself ends at once.
    setTimeout(() => process.exit(), 2000).unref();
  }
}

/** Partitions if this machine allows them (root, cgroup v2, iptables); otherwise why not, for `sandbox partition` to say. */
function openPartitions(log: Logger): Partitions | Error {
  try {
    return Partitions.open();
  } catch (err) {
    log.warn('sandbox partition is not available', { reason: (err as Error).message });
    return err as Error;
  }
}

/**
 * The address on this host that answers for the stack: HTTPS first when the stack terminates TLS,
 * with the plain HTTP address beside it (which redirects to it unless redirectHttp is false).
 */
function stackUrl(runtime: Runtime, objects: KubernetesObject[], s: StackRef): string | undefined {
  const addr = runtime.serviceAddress(s.namespace, names.haproxy(s.name));
  const ws = objects.find((o) => o.kind === KIND && o.metadata?.name === s.name && o.metadata?.namespace === s.namespace) as WebStack | undefined;
  const service = ws?.spec.loadBalancer?.service;
  const tls = ws?.spec.loadBalancer?.tls;
  const httpPort = addr?.ports[service?.port ?? 80];
  if (!addr || httpPort === undefined) return undefined;
  const http = `http://${addr.ip}:${httpPort}/`;
  if (!tls) return http;
  const httpsPort = addr.ports[service?.tlsPort ?? 443];
  if (httpsPort === undefined) return undefined;
  const https = `https://${addr.ip}:${httpsPort}/`;
  return tls.redirectHttp === false ? `${https} (plain HTTP too: ${http})` : `${https} (${http} redirects to it)`;
}

function breakThingsHints(kubeconfig: string, stateDir: string, namespace: string): void {
  const kcRel = shown(kubeconfig);
  const dirFlag = path.resolve(stateDir) === path.resolve('.sandbox') ? '' : ` --state-dir ${stateDir}`;
  const nsFlag = namespace === 'default' ? '' : ` -n ${namespace}`;
  say(`\nBreak things and watch the stack heal (failovers and other Events print here):`);
  say(`  kubectl --kubeconfig ${kcRel}${nsFlag} get pods -L webstack.dev/role      find the primary database pod`);
  say(`  npm run sandbox -- kill <pod>${dirFlag}     SIGKILL a pod's processes (down 10s, then restarted)`);
  say(`  npm run sandbox -- stop <pod>${dirFlag}     SIGSTOP (hang) them; 'cont' resumes`);
  say(`  npm run sandbox -- partition <pod>${nsFlag}${dirFlag} [--from <pod>|operator]     cut it off the network; 'heal' ends it`);
  say(`  kubectl --kubeconfig ${kcRel}${nsFlag} delete pod <pod>`);
  say(`Ctrl-C stops everything.`);
}
