/**
 * What watching databases costs the operator, on real MariaDB: `npm run bench:probe-cost --
 * [--stacks 10] [--seconds 20] [--settle 15] [--threshold 1]` starts N three-instance clusters
 * (semi-sync) and one database manager per cluster in this process, as the operator runs them
 * (ticks every 500 ms on kept connections; at rest a replica is probed once per failure threshold).
 * When all are healthy and `--settle` seconds have passed (the start's own work: servers' output,
 * closed connections, compilation, collection), it measures this process's CPU time (user +
 * system) over `--seconds` at rest, then during a crash failover of one cluster (SIGKILL of its
 * primary until a new primary is recorded), per instance per second. Ends with one JSON line.
 */
import { Registry } from 'prom-client';
import { DatabaseManager } from '../src/mysql/manager.js';
import { MemoryEvents, MemoryLabeler, MemoryRecord, MemoryStatus, StaticTopology } from '../src/mysql/memory.js';
import type { ManagerSpec } from '../src/mysql/ports.js';
import { DEFAULT_TIMINGS } from '../src/timings.js';
import { startMariadbCluster, type MariadbCluster } from '../test/support/mariadb-cluster.js';
import { eventually } from '../test/support/eventually.js';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name}: expected a positive integer, got '${process.argv[i + 1] ?? ''}'`);
  return v;
}

const STACKS = flag('stacks', 10);
const SECONDS = flag('seconds', 20);
const SETTLE = flag('settle', 15);
/** failureThresholdSeconds: 1 as in the failover goals (replicas probed every second at rest); the API's default is 3. */
const THRESHOLD = flag('threshold', 1);
const SIZE = 3;

interface Managed { cluster: MariadbCluster; record: MemoryRecord; manager: DatabaseManager }

/** CPU milliseconds this process used while `during` ran, and the wall milliseconds it took. */
async function cpuDuring(during: () => Promise<void>): Promise<{ cpuMs: number; wallMs: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await during();
  const used = process.cpuUsage(cpu0);
  return { cpuMs: (used.user + used.system) / 1000, wallMs: performance.now() - t0 };
}

async function main(): Promise<void> {
  const stacks: Managed[] = [];
  const spec: ManagerSpec = {
    engine: 'mariadb', desiredPrimary: '', failoverEnabled: true, failureThresholdSeconds: THRESHOLD, replicationMode: 'semisync', semiSyncTimeoutSeconds: 3600,
  };
  try {
    for (let s = 0; s < STACKS; s++) {
      // One at a time: thirty servers initialising at once would starve a small machine.
      const cluster = await startMariadbCluster({ size: SIZE, stack: `s${s}` });
      const record = new MemoryRecord();
      const manager = new DatabaseManager({
        stack: { namespace: 'bench', name: `s${s}` }, spec: () => spec, credentials: cluster.credentials, caBundle: () => cluster.caBundle,
        topology: new StaticTopology(() => cluster.addresses()), record, status: new MemoryStatus(), labeler: new MemoryLabeler(),
        events: new MemoryEvents(), registry: new Registry(),
        restarter: { restart: (name) => cluster.hardRestart(name) },
      });
      stacks.push({ cluster, record, manager });
      manager.start();
    }
    await eventually('every cluster healthy', async () => stacks.every(({ manager }) => {
      const st = manager.status();
      return st.instances.length === SIZE && st.instances.every((i) => i.ready);
    }), 300_000, 200);
    const instances = STACKS * SIZE;
    process.stdout.write(`${STACKS} clusters of ${SIZE} healthy; settling ${SETTLE} s, then measuring ${SECONDS} s at rest\n`);
    await new Promise((r) => setTimeout(r, SETTLE * 1000));

    const rest = await cpuDuring(() => new Promise((r) => setTimeout(r, SECONDS * 1000)));
    const restMsPerInstanceSecond = rest.cpuMs / instances / (rest.wallMs / 1000);

    const victim = stacks[0];
    const from = victim.record.snapshot().primary!;
    const failover = await cpuDuring(async () => {
      await victim.cluster.kill(from);
      await eventually('a new primary', async () => (victim.record.snapshot().primary ?? from) !== from, 60_000, 5);
    });
    const failoverMsPerInstanceSecond = failover.cpuMs / instances / (failover.wallMs / 1000);

    const result = {
      stacks: STACKS, instances, probeIntervalMs: DEFAULT_TIMINGS.database.probeIntervalMs, failureThresholdSeconds: THRESHOLD, settleSeconds: SETTLE, seconds: SECONDS,
      restCpuMsPerInstancePerSecond: Number(restMsPerInstanceSecond.toFixed(3)),
      failoverWallMs: Math.round(failover.wallMs),
      failoverCpuMsPerInstancePerSecond: Number(failoverMsPerInstanceSecond.toFixed(3)),
      // 1,000 stacks of three at the rest figure: CPU cores the probing takes.
      coresFor1000Stacks: Number((restMsPerInstanceSecond * 3000 / 1000).toFixed(2)),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await Promise.all(stacks.map((s) => s.manager.stop()));
    await Promise.all(stacks.map((s) => s.cluster.close()));
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:probe-cost: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
});
