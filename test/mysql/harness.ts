/** A database manager over real mariadbd instances, with in-memory record, labels and Events. */
import { afterAll, beforeAll } from '@jest/globals';
import { Registry } from 'prom-client';
import type { Action } from '../../src/mysql/planner.js';
import { DatabaseManager, type ManagerOptions } from '../../src/mysql/manager.js';
import { MemoryEvents, MemoryLabeler, MemoryRecord, MemoryStatus, StaticTopology } from '../../src/mysql/memory.js';
import type { ManagerSpec } from '../../src/mysql/ports.js';
import type { Partitions } from '../../src/sandbox/runtime/partitions.js';
import { startMariadbCluster, WriteLoop, type MariadbCluster } from '../support/mariadb-cluster.js';
import { eventually } from '../support/eventually.js';

export interface Stack {
  cluster: MariadbCluster;
  spec: ManagerSpec;
  record: MemoryRecord;
  labeler: MemoryLabeler;
  events: MemoryEvents;
  registry: Registry;
  manager: DatabaseManager;
  newManager(overrides?: Partial<ManagerOptions>): DatabaseManager;
  primary(): string;
  close(): Promise<void>;
}

export async function startStack(opts: { size?: number; overrides?: Partial<ManagerOptions>; partitions?: Partitions } = {}): Promise<Stack> {
  const cluster = await startMariadbCluster({ size: opts.size ?? 3, partitions: opts.partitions });
  const spec: ManagerSpec = {
    engine: 'mariadb', desiredPrimary: '', failoverEnabled: true, failureThresholdSeconds: 1,
    replicationMode: 'semisync', semiSyncTimeoutSeconds: 3600,
  };
  const record = new MemoryRecord();
  const labeler = new MemoryLabeler();
  const events = new MemoryEvents();
  const registry = new Registry();
  const managers: DatabaseManager[] = [];
  const newManager = (overrides: Partial<ManagerOptions> = {}) => {
    const m = new DatabaseManager({
      stack: { namespace: 'test', name: 'shop' }, spec: () => spec, credentials: cluster.credentials, caBundle: () => cluster.caBundle,
      topology: new StaticTopology(() => cluster.addresses()), record, labeler, events, registry,
      restarter: { restart: (name) => cluster.hardRestart(name) },
      status: new MemoryStatus(), timings: { probeIntervalMs: 250, switchoverTimeoutMs: 5000, applyRelayLogMs: 10_000, actionDeadlineMs: 30_000 },
      ...opts.overrides, ...overrides,
    });
    managers.push(m);
    return m;
  };
  const manager = newManager();
  return {
    cluster, spec, record, labeler, events, registry, manager, newManager,
    primary: () => record.snapshot().primary ?? '',
    async close() {
      await Promise.all(managers.map((m) => m.stop()));
      await cluster.close();
    },
  };
}

/** Until every instance is ready and nothing is left to do. */
export async function waitHealthy(stack: Stack, timeoutMs = 60_000, manager = stack.manager): Promise<void> {
  try {
    await eventually('a healthy cluster', async () => {
      const s = manager.status();
      return s.instances.length === stack.cluster.instances.length && s.instances.every((i) => i.ready)
        && s.conditions.every((c) => c.status === (c.type === 'DatabaseReady' ? 'True' : 'False'));
    }, timeoutMs, 100);
  } catch (err) {
    const detail = JSON.stringify({ status: manager.status(), record: stack.record.snapshot(), events: stack.events.events.slice(-8) }, null, 1);
    throw new Error(`${(err as Error).message}\n${detail}`, { cause: err });
  }
}

/** Until the record names a primary other than `old`. */
export async function waitNewPrimary(stack: Stack, old: string, timeoutMs = 30_000): Promise<string> {
  try {
    await eventually('a new primary', async () => stack.primary() !== old, timeoutMs, 20);
  } catch (err) {
    const detail = JSON.stringify({ status: stack.manager.status(), record: stack.record.snapshot(), events: stack.events.events.slice(-8) }, null, 1);
    throw new Error(`${(err as Error).message}\n${detail}`, { cause: err });
  }
  return stack.primary();
}

/**
 * One stack for a test file, bootstrapped before its tests and closed after them; `use` gets it as
 * soon as it is started (the file keeps it in a variable of its own).
 */
export function stackPerFile(use: (stack: Stack) => void): void {
  let stack: Stack | undefined;
  beforeAll(async () => {
    stack = await startStack();
    use(stack);
    await bootstrapped(stack);
  }, 120_000);
  afterAll(async () => stack?.close(), 60_000);
}

/** Bootstrapped, healthy, with the writes table created on the primary. */
export async function bootstrapped(stack: Stack): Promise<void> {
  stack.manager.start();
  await waitHealthy(stack);
  await stack.cluster.query(stack.primary(), `CREATE TABLE app.${'writes'} (id INT PRIMARY KEY, server_id INT NOT NULL)`);
}

/** A writer through whatever instance the record names as primary, as an app behind the primary Service. */
export function writer(stack: Stack, firstId = 1): WriteLoop {
  const c = stack.cluster.credentials;
  return new WriteLoop(() => {
    const p = stack.primary();
    return p ? stack.cluster.get(p) : undefined;
  }, { user: c.appUser, password: c.appPassword, database: c.databaseName }, { firstId, ssl: stack.cluster.ssl() });
}

/** Several writers, as in the failover benchmark: with one, a kill or hang rarely catches a write waiting for its acknowledgement. */
export function writers(stack: Stack, round: number, count = 4): WriteLoop[] {
  return Array.from({ length: count }, (_, i) => writer(stack, (round * 10 + i) * 100_000));
}

/** Waits until every writer has 10 writes acknowledged by `name` after `since`. */
export async function acksFrom(ws: WriteLoop[], name: string, since: number): Promise<void> {
  await eventually(`writes acknowledged by ${name}`,
    async () => ws.every((w) => w.acked.filter((a) => a.serverId === serverId(name) && a.at > since).length >= 10), 30_000, 20);
}

export async function idsOn(stack: Stack, name: string): Promise<Set<number>> {
  const rows = await stack.cluster.query<{ id: number }>(name, 'SELECT id FROM app.writes');
  return new Set(rows.map((r) => Number(r.id)));
}

export async function readOnly(stack: Stack, name: string): Promise<boolean> {
  const [row] = await stack.cluster.query<{ ro: number }>(name, 'SELECT @@read_only AS ro');
  return Number(row.ro) === 1;
}

export function serverId(name: string): number {
  return 100 + Number(name.slice(name.lastIndexOf('-') + 1));
}

/** Instances that answer and accept writes right now. */
export async function writableInstances(stack: Stack): Promise<string[]> {
  const out: string[] = [];
  for (const i of stack.cluster.instances) {
    if (!(await readOnly(stack, i.name).catch(() => true))) out.push(i.name);
  }
  return out;
}

export async function waitForAcksFrom(w: WriteLoop, id: number, count: number, timeoutMs = 30_000): Promise<void> {
  const before = w.acked.filter((a) => a.serverId === id).length;
  await eventually(`${count} writes acknowledged by server ${id}`, async () => w.acked.filter((a) => a.serverId === id).length >= before + count, timeoutMs, 20);
}

export type StepHook = (action: Action, step: string) => void;
