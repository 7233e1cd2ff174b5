/**
 * The operator side of bench:reconcile, run as its own process so that its peak RSS is the
 * operator's alone (not the bench's renders and clients). Talks to the bench over IPC:
 * 'ready' once its caches are synced; on 'go' it times convergence of `--stacks` WebStacks in
 * its own cache, reports, counts the writes of two resync periods, stops and reports its peak RSS.
 *
 *   (spawned by bench/reconcile.ts) reconcile-operator.ts KUBECONFIG STACKS WORKERS RESYNC_MS [HEAP_SNAPSHOT_FILE]
 */
import { writeHeapSnapshot } from 'node:v8';
import { KubeConfig } from '@kubernetes/client-node';
import type { WebStack } from '../src/api/types.js';
import { Operator } from '../src/controller/operator.js';
import { OWNED, WEBSTACK } from '../src/controller/resources.js';
import { MATCHES_LAST_APPLY } from '../src/kube/cache-transform.js';
import { createLogger } from '../src/log.js';

export interface OperatorReport {
  convergeMs: number;
  requests: number;
  byVerb: Record<string, number>;
  reconciles: number;
  /** Reconciles until converged by result: an error is retried with backoff, which can hold convergence back. */
  reconcilesByResult: Record<string, number>;
  reconcileMsAverage: number;
  steadyStateWrites: number;
  steadyStateReconciles: number;
  peakRssMb: number;
  heapUsedMb: number;
  retainedHeapMb: number;
  /** Of the cached children, the share kept without their content (they held exactly what was applied). */
  compactedShare: number;
  /** The operator process's CPU time (user and system) from the first stack to convergence. */
  cpuMs: number;
}

const [kubeconfig, stacksArg, workersArg, resyncArg, heapSnapshotFile] = process.argv.slice(2);
const STACKS = Number(stacksArg);
const RESYNC_MS = Number(resyncArg);

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function send(message: object): void {
  process.send!(message);
}

async function reconcileCount(operator: Operator): Promise<{ count: number; seconds: number; byResult: Record<string, number> }> {
  const values = (await operator.metrics.reconciles.get()).values;
  const count = values.reduce((s, v) => s + v.value, 0);
  const byResult = Object.fromEntries(values.map((v) => [String(v.labels.result), v.value]));
  const seconds = (await operator.metrics.reconcileDuration.get()).values
    .filter((v) => v.metricName?.endsWith('_sum')).reduce((s, v) => s + v.value, 0);
  return { count, seconds, byResult };
}

async function main(): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const operator = new Operator({
    kubeConfig: kc, namespaces: ['bench'], identity: 'bench', log: createLogger({ format: 'json', level: 'error' }),
    workers: Number(workersArg), timings: { resyncPeriodMs: RESYNC_MS }, defaultMetrics: false,
  });
  const go = new Promise<void>((resolve) => process.once('message', () => resolve()));
  // The stacks done, followed from the watch: no scan of thousands of stacks every 100 ms in the operator's process.
  const done = new Set<string>();
  operator.caches.on<WebStack>([WEBSTACK], (type, w) => {
    const key = `${w.metadata.namespace}/${w.metadata.name}`;
    // A reconcile that failed writes its generation too (Degraded, ApplyFailed): not converged, it is retried.
    if (type !== 'delete' && w.status?.observedGeneration === w.metadata.generation
      && !w.status?.conditions?.some((c) => c.reason === 'ApplyFailed')) done.add(key);
    else done.delete(key);
  });
  await operator.start();
  send({ ready: true });
  await go;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (;;) {
    // Converged: every stack done and no reconcile an event asked for waiting; the resync's checks of done stacks may be.
    const queue = operator.controller.queue;
    if (done.size === STACKS && queue.len() === queue.lowLen()) break;
    await sleep(100);
  }
  const convergeMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  send({ converged: true });
  const requests = operator.client.counts.total;
  const byVerb = { ...operator.client.counts.byVerb };
  const writesAtConvergence = operator.client.counts.writes;
  const before = await reconcileCount(operator);
  const children = OWNED.flatMap((t) => operator.caches.list<Record<string, unknown>>(t.kind, 'bench'));
  const compactedShare = Number((children.filter((o) => o[MATCHES_LAST_APPLY] === true).length / children.length).toFixed(2));
  const heapUsedMb = Math.round(process.memoryUsage().heapUsed / 1024 / 1024);
  // What the operator holds, garbage left out (the bench starts this process with --expose-gc).
  (globalThis as { gc?: () => void }).gc?.();
  const retainedHeapMb = Math.round(process.memoryUsage().heapUsed / 1024 / 1024);
  if (heapSnapshotFile) writeHeapSnapshot(heapSnapshotFile);
  await sleep(2 * RESYNC_MS + 1000);
  const after = await reconcileCount(operator);
  const steadyStateWrites = operator.client.counts.writes - writesAtConvergence;
  await operator.stop();
  const report: OperatorReport = {
    convergeMs, requests, byVerb, reconciles: before.count, reconcilesByResult: before.byResult, reconcileMsAverage: before.seconds * 1000 / before.count,
    steadyStateWrites, steadyStateReconciles: after.count - before.count,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024), heapUsedMb, retainedHeapMb, compactedShare,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
  send({ report });
  process.disconnect();
}

main().catch((err: unknown) => {
  process.stderr.write(`reconcile-operator: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
