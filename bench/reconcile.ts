/**
 * Benchmark of the operator: N WebStacks created at once against the in-memory API server (run
 * as its own process, so the RSS measured here is the operator's), or against the real
 * kube-apiserver with etcd (`--control-plane kube`, no controllers: the same bare server). Reports the time to converge
 * (every stack's children applied and its status written for its generation, no reconcile an event asked for still
 * waiting; the resync's low-priority checks of stacks already done may be), API requests per
 * stack, writes during two resync periods after convergence (must be 0), peak RSS; and, as
 * bounds, how long the server alone takes to create the same child objects, to server-side apply
 * them (what the operator sends), and to take every write of converged stacks (the stacks, their
 * children, their statuses). Each phase runs on a fresh server, and the server's CPU in each is reported.
 *
 * The operator runs in its own process (bench/reconcile-operator.ts, compiled), so its peak RSS is its own.
 *
 *   npm run bench:reconcile -- --stacks 1000 [--workers 8] [--resync-ms 10000] [--heap-mb N] [--semi-space-mb N] [--control-plane embedded|kube]
 *     [--cpu-prof DIR] [--heap-snapshot FILE]
 *
 * Ends with one JSON line: {controlPlane, convergeMs, serverBoundMs, requestsPerStack, steadyStateWrites, peakRssMb, ...}.
 */
import { execFileSync, fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import type { WebStack } from '../src/api/types.js';
import { KubeClient } from '../src/kube/client.js';
import { resourceFor, WEBSTACK } from '../src/controller/resources.js';
import type { ResourceType } from '../src/kube/resource-type.js';
import { newDatabaseCredentials } from '../src/render/credentials.js';
import { newAdminToken } from '../src/render/haproxy-weights.js';
import { databaseCertificates } from '../src/pki/database-certificates.js';
import { renderStack } from '../src/render/stack.js';
import { resolveSpec } from '../src/api/defaults.js';
import { computeStatus } from '../src/controller/status.js';
import { withAppliedHash } from '../src/controller/applied-hash.js';
import { rfc3339 } from '../src/controller/conditions.js';
import { startControlPlane } from '../src/sandbox/control-plane/index.js';
import type { OperatorReport } from './reconcile-operator.js';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name}: must be a positive number`);
  return v;
}

function controlPlaneFlag(): 'embedded' | 'kube' {
  const i = process.argv.indexOf('--control-plane');
  const v = i >= 0 ? process.argv[i + 1] : 'embedded';
  if (v !== 'embedded' && v !== 'kube') throw new Error(`--control-plane: embedded or kube, got '${v}'`);
  return v;
}

const STACKS = flag('stacks', 1000);
const CONTROL_PLANE = controlPlaneFlag();
const WORKERS = flag('workers', 8);
const RESYNC_MS = flag('resync-ms', 10_000);
/** The operator's V8 heap limit (--max-old-space-size), as a deployment would set it; default: Node's own. */
const HEAP_MB = process.argv.includes('--heap-mb') ? flag('heap-mb', 0) : undefined;
/** The operator's young generation semi-space (--max-semi-space-size), as the chart sets it; default: Node's own. */
const SEMI_SPACE_MB = process.argv.includes('--semi-space-mb') ? flag('semi-space-mb', 0) : undefined;
/** `--cpu-prof DIR`: the operator process writes a V8 CPU profile there (open it in Chrome's DevTools). */
const CPU_PROF_DIR = process.argv.includes('--cpu-prof') ? path.resolve(process.argv[process.argv.indexOf('--cpu-prof') + 1] ?? '.') : undefined;
/** `--heap-snapshot FILE`: the operator writes a V8 heap snapshot of what it holds at convergence, after a full GC. */
const HEAP_SNAPSHOT = process.argv.includes('--heap-snapshot') ? path.resolve(process.argv[process.argv.indexOf('--heap-snapshot') + 1] ?? 'operator.heapsnapshot') : undefined;
const CONCURRENCY = 16;
const CRD: ResourceType = { kind: 'CustomResourceDefinition', apiVersion: 'apiextensions.k8s.io/v1', plural: 'customresourcedefinitions', namespaced: false };
const NAMESPACE: ResourceType = { kind: 'Namespace', apiVersion: 'v1', plural: 'namespaces', namespaced: false };

async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await work(items[next++]);
  }));
}

interface Server { kubeconfig: string; pids: number[]; stop: () => Promise<void> }

/** CPU time (user and system) the processes have used so far, in ms, from /proc/PID/stat (clock ticks of 10 ms). */
function cpuMsOf(pids: number[]): number {
  return pids.reduce((sum, pid) => {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
    // utime and stime are the stat file's 14th and 15th fields; the 3rd is the first after the command name.
    return sum + (Number(fields[11]) + Number(fields[12])) * 10;
  }, 0);
}

async function startServerProcess(dir: string): Promise<Server> {
  const file = path.join(dir, 'kubeconfig');
  const child = spawn(process.execPath, ['--import', '@swc-node/register/esm-register', 'src/cli.ts', 'apiserver', '--port', '0',
    '--kubeconfig-out', file, '--watch-history', '200000'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('listening')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`apiserver exited with ${code}`)));
  });
  const exited = new Promise((r) => child.once('exit', r));
  return { kubeconfig: readFileSync(file, 'utf8'), pids: [child.pid!], stop: async () => { child.kill('SIGTERM'); await exited; } };
}

/** etcd and kube-apiserver as built by scripts/cluster-build.sh; no controllers, so the server does only what it is sent. */
async function startRealServer(dir: string): Promise<Server> {
  const cp = await startControlPlane({ dir: path.join(dir, 'control-plane'), controllers: false });
  return { kubeconfig: cp.kubeconfig(), pids: Object.values(cp.pids), stop: () => cp.close() };
}

/**
 * bench/reconcile-operator.ts and the sources it imports compiled by tsc, as the image ships
 * them: a TypeScript loader in the operator's process would count in its memory. Under dist/
 * (ignored), so that the compiled files find node_modules.
 */
function compileOperator(): string {
  const out = path.resolve('dist/bench-build');
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'tsconfig.json'), JSON.stringify({
    extends: '../../tsconfig.json', compilerOptions: { outDir: '.', rootDir: '../..', sourceMap: false }, include: [], files: ['../../bench/reconcile-operator.ts'],
  }));
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', path.join(out, 'tsconfig.json')], { stdio: 'inherit' });
  return path.join(out, 'bench/reconcile-operator.js');
}

/**
 * The operator in its own process (bench/reconcile-operator.ts), with a heap limit if asked:
 * resolves once its caches are synced; `go` starts its clock; `report` is what it measured.
 */
async function startOperatorProcess(dir: string, kubeconfig: string): Promise<{ go: () => void; converged: Promise<boolean>; report: Promise<OperatorReport> }> {
  const file = path.join(dir, 'operator-kubeconfig');
  writeFileSync(file, kubeconfig);
  const heap = [...HEAP_MB === undefined ? [] : [`--max-old-space-size=${HEAP_MB}`], ...SEMI_SPACE_MB === undefined ? [] : [`--max-semi-space-size=${SEMI_SPACE_MB}`]];
  const prof = CPU_PROF_DIR === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF_DIR}`];
  const child = fork(compileOperator(), [file, String(STACKS), String(WORKERS), String(RESYNC_MS), ...(HEAP_SNAPSHOT ? [HEAP_SNAPSHOT] : [])],
    { execArgv: [...heap, ...prof, '--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`operator process exited with ${code}`))));
  const message = <T>(pick: (m: Record<string, unknown>) => T | undefined) => Promise.race([exited, new Promise<T>((resolve) => {
    const on = (m: Record<string, unknown>) => {
      const v = pick(m);
      if (v === undefined) return;
      child.off('message', on);
      resolve(v);
    };
    child.on('message', on);
  })]);
  await message((m) => m.ready as boolean | undefined);
  return {
    go: () => child.send('go'), converged: message((m) => m.converged as boolean | undefined), report: message((m) => m.report as OperatorReport | undefined),
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function stack(name: string, ns: string): WebStack {
  return {
    apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStack', metadata: { name, namespace: ns },
    // ClusterIP: a real server has 2,768 node ports for every LoadBalancer Service of all three namespaces.
    spec: { loadBalancer: { service: { type: 'ClusterIP' } }, apps: [{ name: 'web', image: 'ghcr.io/acme/shop:1.4' }, { name: 'api', image: 'ghcr.io/acme/api:2' }] },
  };
}

/** The status the operator writes for a new stack whose children are not up yet. */
function firstStatus(ws: WebStack): object {
  const spec = resolveSpec(ws);
  return computeStatus({
    generation: 1, previous: undefined, now: rfc3339(Date.now()), tiers: spec.apps.map((a) => ({ name: a.name, replicas: a.replicas })),
    haproxy: { replicas: spec.loadBalancer.replicas }, database: { replicas: spec.database.replicas },
  });
}

/**
 * A server of its own for each measured phase, with the WebStack CRD and the namespace `bench`: no phase runs on a
 * server that earlier phases filled (tens of thousands of objects more make each write and collection cost more).
 */
async function onFreshServer<T>(dir: string, phase: string, run: (client: KubeClient, server: Server) => Promise<T>): Promise<T> {
  const phaseDir = path.join(dir, phase);
  mkdirSync(phaseDir);
  const server = CONTROL_PLANE === 'kube' ? await startRealServer(phaseDir) : await startServerProcess(phaseDir);
  const kc = new KubeConfig();
  kc.loadFromString(server.kubeconfig);
  const client = new KubeClient(kc);
  try {
    await client.create(CRD, undefined, parse(readFileSync('crds/webstack.yaml', 'utf8')) as object);
    await client.create(NAMESPACE, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } });
    for (let i = 0; ; i++) {
      try {
        await client.list(WEBSTACK, 'bench');
        break;
      } catch (err) {
        if (i > 100) throw err;
        await sleep(100);
      }
    }
    return await run(client, server);
  } finally {
    client.close();
    await server.stop();
  }
}

/** How long `work` takes, and the server's own CPU meanwhile. */
async function timed(server: Server, work: () => Promise<unknown>): Promise<{ ms: number; serverCpuMs: number }> {
  const cpu0 = cpuMsOf(server.pids);
  const t0 = performance.now();
  await work();
  return { ms: performance.now() - t0, serverCpuMs: cpuMsOf(server.pids) - cpu0 };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-reconcile-'));
  try {
    // The bound: the server creating the same child objects, sent by 16 concurrent clients.
    const credentials = newDatabaseCredentials((n) => randomBytes(n));
    const haproxyAdminToken = newAdminToken((n) => randomBytes(n));
    // The bound measures the API server, not key generation: one CA and certificate for every stack.
    const { certificates } = await databaseCertificates({}, { stack: 's', namespace: 'bench', clusterDomain: 'cluster.local' }, new Date());
    const stacks = Array.from({ length: STACKS }, (_, i) => stack(`s${i}`, 'bench'));
    const children = stacks.flatMap((ws) => renderStack(ws, { credentials, haproxyAdminToken, certificates }));
    const childrenPerStack = children.length / STACKS;
    const createBound = await onFreshServer(dir, 'create-bound', (client, server) => timed(server,
      () => pool(children, CONCURRENCY, (o) => client.create(resourceFor(o.apiVersion, o.kind), o.metadata.namespace, o))));
    process.stdout.write(`server bound: ${children.length} objects (${childrenPerStack} per stack) created by ${CONCURRENCY} concurrent clients in ${createBound.ms.toFixed(0)} ms\n`);
    // The same objects by server-side apply, which is what the operator sends and costs the server more than a create.
    const applyBound = await onFreshServer(dir, 'apply-bound', (client, server) => timed(server,
      () => pool(children, CONCURRENCY, (o) => client.apply(resourceFor(o.apiVersion, o.kind), o as never, 'bench'))));
    process.stdout.write(`server apply bound: the same ${children.length} objects by server-side apply in ${applyBound.ms.toFixed(0)} ms\n`);
    // Every write 1,000 converged stacks take, as the clock of convergence sees them: the WebStacks created, their
    // children applied as the operator sends them (owned by the stack, with the applied hash), their statuses
    // written (the operator's Event left out: it chooses to write it). Rendered beforehand; each child takes
    // the uid the server gave its stack.
    const owned = stacks.map((ws) => renderStack({ ...ws, metadata: { ...ws.metadata, uid: 'to-be-set' } },
      { credentials, haproxyAdminToken, certificates }).map(withAppliedHash));
    const writesBound = await onFreshServer(dir, 'writes-bound', (client, server) => timed(server, async () => {
      await pool(stacks.map((ws, i) => ({ ws, i })), CONCURRENCY, async ({ ws, i }) => {
        const { uid } = (await client.create<WebStack>(WEBSTACK, 'bench', ws)).metadata;
        for (const o of owned[i]) o.metadata.ownerReferences![0].uid = uid!;
      });
      await pool(owned.flat(), CONCURRENCY, (o) => client.apply(resourceFor(o.apiVersion, o.kind), o as never, 'bench'));
      await pool(stacks, CONCURRENCY, (ws) => client.mergePatch(WEBSTACK, 'bench', ws.metadata.name, { status: firstStatus(ws) }, 'status'));
    }));
    process.stdout.write(`server writes bound: ${STACKS} WebStacks created, their children applied, their statuses written in ${writesBound.ms.toFixed(0)} ms\n`);

    const { report, converge, createdMs, deployments } = await onFreshServer(dir, 'operator', async (client, server) => {
      const operator = await startOperatorProcess(dir, server.kubeconfig);
      let createdAt = 0;
      const converged = await timed(server, async () => {
        operator.go();
        const t0 = performance.now();
        await pool(stacks, CONCURRENCY, (ws) => client.create(WEBSTACK, 'bench', ws));
        createdAt = performance.now() - t0;
        await operator.converged;
      });
      const operatorReport = await operator.report;
      const observed = (await client.list<WebStack>(WEBSTACK, 'bench')).items.filter((w) => w.status?.observedGeneration === w.metadata.generation).length;
      if (observed !== STACKS) throw new Error(`only ${observed} of ${STACKS} WebStacks have their status written`);
      return {
        report: operatorReport, converge: converged, createdMs: createdAt,
        deployments: (await client.list(resourceFor('apps/v1', 'Deployment'), 'bench')).items.length,
      };
    });
    const { convergeMs, requests } = report;
    process.stdout.write(`operator: ${STACKS} WebStacks created in ${createdMs.toFixed(0)} ms, converged after ${convergeMs.toFixed(0)} ms `
      + `(${deployments} Deployments), ${requests} requests (${JSON.stringify(report.byVerb)})\n`);
    process.stdout.write(`reconciles until converged: ${report.reconciles} (${(report.reconciles / STACKS).toFixed(1)} per stack; ${JSON.stringify(report.reconcilesByResult)}), `
      + `${report.reconcileMsAverage.toFixed(1)} ms each on average\n`);
    process.stdout.write(`steady state: ${report.steadyStateReconciles} reconciles in two resync periods of ${RESYNC_MS} ms, ${report.steadyStateWrites} writes\n`);

    const { peakRssMb, heapUsedMb, retainedHeapMb, steadyStateWrites } = report;
    const result = {
      controlPlane: CONTROL_PLANE, stacks: STACKS, workers: WORKERS, convergeMs: Math.round(convergeMs), serverBoundMs: Math.round(createBound.ms),
      ratio: Number((convergeMs / createBound.ms).toFixed(2)), serverApplyBoundMs: Math.round(applyBound.ms),
      applyRatio: Number((convergeMs / applyBound.ms).toFixed(2)), serverWritesBoundMs: Math.round(writesBound.ms),
      writesRatio: Number((convergeMs / writesBound.ms).toFixed(2)), operatorCpuMsPerStack: Number((report.cpuMs / STACKS).toFixed(1)),
      requestsPerStack: Number((requests / STACKS).toFixed(1)),
      childrenPerStack, steadyStateWrites, steadyStateReconciles: report.steadyStateReconciles, reconcilesByResult: report.reconcilesByResult, peakRssMb,
      peakRssKbPerStack: Math.round(peakRssMb * 1024 / STACKS), heapUsedMbAtConvergence: heapUsedMb, retainedHeapMb, heapLimitMb: HEAP_MB ?? null, semiSpaceMb: SEMI_SPACE_MB ?? null,
      compactedShare: report.compactedShare,
      // The server's own CPU in each phase: with two cores, the operator and the server share the machine.
      serverCpuMs: { createBound: createBound.serverCpuMs, applyBound: applyBound.serverCpuMs, writesBound: writesBound.serverCpuMs, converge: converge.serverCpuMs },
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    if (deployments !== STACKS * 3) throw new Error(`expected ${STACKS * 3} Deployments, found ${deployments}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:reconcile: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
});
