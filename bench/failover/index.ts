/**
 * Failover benchmark on real MariaDB: `npm run bench:failover -- --trials N` (default 20).
 * Crash (SIGKILL), hang (SIGSTOP) and planned switchover trials under write load; writers go
 * through a proxy that follows the recorded primary (a stand-in for the primary Service).
 * Per trial: time from the signal to the first write acknowledged by the new primary, writes
 * acknowledged but missing from the new primary (lost), writes acknowledged by a server after
 * another had been recorded primary (split brain), and where the time went: detection (signal to
 * the manager's decision), each step of the failover, and the tail from the last step to the first
 * acknowledged write. Pause trials stop the primary for less than the threshold: it must never be
 * replaced. Ends with one JSON line of the figures.
 */
import { Registry } from 'prom-client';
import { DATABASE_READY } from '../../src/api/conditions.js';
import { DatabaseManager } from '../../src/mysql/manager.js';
import { MemoryEvents, MemoryLabeler, MemoryRecord, MemoryStatus, StaticTopology } from '../../src/mysql/memory.js';
import type { ManagerSpec } from '../../src/mysql/ports.js';
import { startMariadbCluster, WriteLoop, type MariadbCluster } from '../../test/support/mariadb-cluster.js';
import { PrimaryProxy } from './proxy.js';
import { breakdownOf, medianBreakdown, percentile, splitBrainWrites, writePauseMs, type Breakdown, type LogEntry } from './stats.js';
import { eventually } from '../../test/support/eventually.js';

type Kind = 'crash' | 'hang' | 'switchover';

interface Trial {
  kind: Kind;
  n: number;
  from: string;
  to: string;
  recoveryMs: number;
  /** Writes standing still: the last acknowledged write before the new primary's first. */
  pauseMs: number;
  acked: number;
  lost: number;
  splitBrain: number;
  breakdown: Breakdown;
}

const WRITERS = 4;
const verbose = process.argv.includes('--verbose');
const FAILURE_THRESHOLD_SECONDS = 1;

function flag(argv: string[], name: string, fallback: number): number {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(argv[i + 1]);
  if (!Number.isInteger(v) || v < 0) throw new Error(`--${name}: expected a non-negative integer, got '${argv[i + 1] ?? ''}'`);
  return v;
}

const serverIdOf = (name: string) => 100 + Number(name.slice(name.lastIndexOf('-') + 1));

class Bench {
  cluster!: MariadbCluster;
  record!: MemoryRecord;
  manager!: DatabaseManager;
  proxy!: PrimaryProxy;
  proxyPort = 0;
  private idBase = 0;
  /** Old primaries that came back diverged (unacknowledged writes of their own) and were quarantined. */
  quarantines = 0;
  /** The restart of an instance the manager killed, as a kubelet restarts a container whose process died. */
  private revived?: Promise<void>;
  /** The manager's log lines with their time: where a failover's time went. */
  readonly logged: LogEntry[] = [];
  readonly spec: ManagerSpec = {
    engine: 'mariadb', desiredPrimary: '', failoverEnabled: true, failureThresholdSeconds: FAILURE_THRESHOLD_SECONDS,
    replicationMode: 'semisync', semiSyncTimeoutSeconds: 3600,
  };

  async up(): Promise<void> {
    this.cluster = await startMariadbCluster({ size: 3 });
    this.record = new MemoryRecord();
    this.spec.desiredPrimary = '';
    this.idBase = 0;
    this.manager = new DatabaseManager({
      stack: { namespace: 'bench', name: 'shop' }, spec: () => this.spec, credentials: this.cluster.credentials, caBundle: () => this.cluster.caBundle,
      topology: new StaticTopology(() => this.cluster.addresses()), record: this.record, status: new MemoryStatus(), labeler: new MemoryLabeler(),
      events: new MemoryEvents(), registry: new Registry(),
      // A returning hung primary is fenced by a hard restart, as the operator deletes its pod with grace 0.
      restarter: { restart: (name) => this.cluster.hardRestart(name) },
      // A hung primary is killed at the start of its failover, as the agent in its pod does.
      killer: {
        kill: async (name) => {
          await this.cluster.kill(name);
          this.revived = this.cluster.restart(name);
        },
      },
      log: {
        info: (m, f) => this.note(m, f),
        warn: (m, f) => this.note(`WARN ${m}`, f),
      },
    });
    this.proxy = new PrimaryProxy(() => {
      const p = this.record.snapshot().primary;
      return p ? this.cluster.get(p) : undefined;
    });
    this.proxyPort = await this.proxy.listen();
    this.manager.start();
    await this.healthy();
    await this.cluster.query(this.primary(), `CREATE TABLE app.${'writes'} (id INT PRIMARY KEY, server_id INT NOT NULL)`);
  }

  private note(message: string, fields?: Record<string, unknown>): void {
    const at = Date.now();
    this.logged.push({ at, message, fields: fields ?? {} });
    if (verbose) process.stderr.write(`${new Date(at).toISOString()} ${message} ${JSON.stringify(fields ?? {})}\n`);
  }

  async down(): Promise<void> {
    await this.manager?.stop();
    await this.proxy?.close();
    await this.cluster?.close();
  }

  primary(): string {
    return this.record.snapshot().primary ?? '';
  }

  /**
   * Every instance ready and caught up: a replica still downloading a backlog (one rebuilt after a
   * quarantine) would be the only one able to acknowledge the next primary's writes, and trials
   * would measure its catch-up instead of the failover.
   */
  async healthy(timeoutMs = 60_000): Promise<void> {
    await eventually('a healthy cluster', async () => {
      const s = this.manager.status();
      const unready = s.instances.filter((i) => !i.ready).map((i) => i.name);
      const raised = s.conditions.filter((c) => c.status !== (c.type === DATABASE_READY ? 'True' : 'False')).map((c) => `${c.type}=${c.status} (${c.reason})`);
      const positions = new Set(s.instances.map((i) => i.gtidExecuted)).size;
      if (s.instances.length !== 3 || unready.length > 0 || raised.length > 0 || positions !== 1) {
        throw new Error(`${s.instances.length} instances, not ready: [${unready.join(', ')}], raised: [${raised.join(', ')}], ${positions} GTID positions`);
      }
      return true;
    }, timeoutMs, 50);
  }

  /** Writers through the proxy, each with its own range of ids. */
  writers(): WriteLoop[] {
    const c = this.cluster.credentials;
    return Array.from({ length: WRITERS }, () => {
      this.idBase += 100_000;
      return new WriteLoop(() => ({ host: '127.0.0.1', port: this.proxyPort }),
        { user: c.appUser, password: c.appPassword, database: c.databaseName }, { firstId: this.idBase, ssl: this.cluster.ssl() });
    });
  }

  async trial(kind: Kind, n: number): Promise<Trial> {
    const from = this.primary();
    const ws = this.writers();
    ws.forEach((w) => w.start());
    const historyStart = this.record.history.length;
    let signalAt = 0;
    try {
      await eventually('writes before the signal', async () => ws.every((w) => w.acked.length >= 5), 30_000, 10);
      const candidate = this.cluster.instances.map((i) => i.name).find((x) => x !== from)!;
      signalAt = Date.now();
      if (kind === 'crash') await this.cluster.kill(from);
      else if (kind === 'hang') this.cluster.stop(from);
      else {
        // As the operator does when it sees the WebStack's spec change.
        this.spec.desiredPrimary = candidate;
        this.manager.poke();
      }
      await eventually('a write acknowledged by a new primary', async () => {
        const p = this.primary();
        return p !== from && ws.some((w) => w.acked.some((a) => a.serverId === serverIdOf(p) && a.at > signalAt));
      }, 60_000, 5);
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      if (kind === 'hang') this.cluster.cont(from);
      await Promise.all(ws.map((w) => w.stop()));
    }
    const to = this.primary();
    const acked = ws.flatMap((w) => w.acked);
    const firstOnNew = Math.min(...acked.filter((a) => a.serverId === serverIdOf(to) && a.at > signalAt).map((a) => a.at));
    const rows = await this.cluster.query<{ id: number }>(to, 'SELECT id FROM app.writes');
    const present = new Set(rows.map((r) => Number(r.id)));
    const history = [{ at: 0, primaryServerId: serverIdOf(from) },
      ...this.record.history.slice(historyStart).filter((h) => h.state.primary).map((h) => ({ at: h.at, primaryServerId: serverIdOf(h.state.primary!) }))];
    const trial: Trial = {
      kind, n, from, to, recoveryMs: firstOnNew - signalAt, pauseMs: writePauseMs(acked, firstOnNew), acked: acked.length,
      lost: acked.filter((a) => !present.has(a.id)).length,
      splitBrain: splitBrainWrites(acked, history).length,
      breakdown: breakdownOf(this.logged.filter((e) => e.at >= signalAt), signalAt, firstOnNew),
    };
    if (kind === 'crash' && !this.revived) await this.cluster.restart(from);
    await this.revived;
    this.revived = undefined;
    await this.settle(`${kind} #${n}`, from);
    return trial;
  }

  /**
   * The primary stopped (SIGSTOP) for `pauseMs`, shorter than the failure threshold, under writes:
   * a primary that answers within the threshold is never replaced. Returns whether it was.
   */
  async pause(pauseMs: number): Promise<boolean> {
    const from = this.primary();
    const ws = this.writers();
    ws.forEach((w) => w.start());
    const historyStart = this.record.history.length;
    try {
      await eventually('writes before the pause', async () => ws.every((w) => w.acked.length >= 5), 30_000, 10);
      this.cluster.stop(from);
      await new Promise((r) => setTimeout(r, pauseMs));
      this.cluster.cont(from);
      await new Promise((r) => setTimeout(r, FAILURE_THRESHOLD_SECONDS * 2000));
    } finally {
      this.cluster.cont(from);
      await Promise.all(ws.map((w) => w.stop()));
    }
    const replaced = this.primary() !== from || this.record.history.slice(historyStart).some((h) => h.state.primary && h.state.primary !== from);
    await this.revived;
    this.revived = undefined;
    if (replaced) await this.settle('pause', from);
    return replaced;
  }

  /**
   * Back to three healthy instances. An old primary that committed a write no replica had
   * acknowledged is quarantined; like an operator would, rebuild it empty and let it rejoin.
   */
  private async settle(label: string, old: string): Promise<void> {
    try {
      await eventually('the old primary to rejoin or be quarantined', async () => {
        const s = this.manager.status().instances.find((i) => i.name === old);
        return s?.role === 'quarantined' || (s?.role === 'replica' && s.ready);
      }, 30_000, 50);
      const quarantined = this.manager.status().instances.find((i) => i.name === old && i.role === 'quarantined');
      if (quarantined) {
        this.quarantines++;
        if (verbose) process.stderr.write(`${label}: ${old} quarantined (${quarantined.errantGtids ?? ''}); rebuilding it\n`);
        await this.cluster.rebuild(old);
      }
      await this.healthy(30_000);
    } catch (err) {
      process.stderr.write(`${label}: cluster not healthy afterwards (${(err as Error).message}); starting a fresh one\n`);
      await this.down();
      await this.up();
    }
  }
}

function fmt(t: Trial): string {
  return `${t.kind.padEnd(10)} ${String(t.n).padStart(3)}  ${t.from.padEnd(13)} ${t.to.padEnd(13)} ${String(t.recoveryMs).padStart(8)}  ${String(t.pauseMs).padStart(8)}  ${String(t.acked).padStart(6)}  ${String(t.lost).padStart(4)}  ${String(t.splitBrain).padStart(5)}`;
}

async function main(argv: string[]): Promise<void> {
  const crashTrials = flag(argv, 'trials', 20);
  const hangTrials = flag(argv, 'hang-trials', Math.max(2, Math.round(crashTrials / 4)));
  const switchoverTrials = flag(argv, 'switchover-trials', Math.max(2, Math.round(crashTrials / 4)));
  const pauseTrials = flag(argv, 'pause-trials', Math.max(2, Math.round(crashTrials / 4)));
  const pauseMs = Math.round(FAILURE_THRESHOLD_SECONDS * 1000 * 0.7);
  let falseFailovers = 0;
  const bench = new Bench();
  const trials: Trial[] = [];
  process.stdout.write(`failover benchmark: 3 MariaDB instances, semi-sync, failureThresholdSeconds ${FAILURE_THRESHOLD_SECONDS}, ${WRITERS} writers through a primary-following proxy\n`);
  process.stdout.write(`${'kind'.padEnd(10)} ${'#'.padStart(3)}  ${'from'.padEnd(13)} ${'to'.padEnd(13)} ${'ms'.padStart(8)}  ${'pause ms'.padStart(8)}  ${'acked'.padStart(6)}  ${'lost'.padStart(4)}  ${'split'.padStart(5)}\n`);
  try {
    await bench.up();
    const plan: [Kind, number][] = [['crash', crashTrials], ['hang', hangTrials], ['switchover', switchoverTrials]];
    for (const [kind, count] of plan) {
      for (let n = 1; n <= count; n++) {
        const t = await bench.trial(kind, n);
        trials.push(t);
        process.stdout.write(`${fmt(t)}\n`);
      }
    }
    for (let n = 1; n <= pauseTrials; n++) {
      const replaced = await bench.pause(pauseMs);
      if (replaced) falseFailovers++;
      process.stdout.write(`${'pause'.padEnd(10)} ${String(n).padStart(3)}  primary stopped ${pauseMs} ms: ${replaced ? 'REPLACED (false failover)' : 'kept'}\n`);
    }
  } finally {
    await bench.down();
  }
  const of = (k: Kind) => trials.filter((t) => t.kind === k).map((t) => t.recoveryMs);
  const result = {
    crashP50Ms: percentile(of('crash'), 50),
    crashMaxMs: Math.max(...of('crash')),
    hangMaxMs: Math.max(...of('hang')),
    switchoverP50Ms: percentile(of('switchover'), 50),
    switchoverPauseP50Ms: percentile(trials.filter((t) => t.kind === 'switchover').map((t) => t.pauseMs), 50),
    lostWrites: trials.reduce((s, t) => s + t.lost, 0),
    splitBrainWrites: trials.reduce((s, t) => s + t.splitBrain, 0),
    trials: crashTrials,
    pauseTrials, pauseMs, falseFailovers,
    breakdownP50Ms: Object.fromEntries((['crash', 'hang', 'switchover'] as Kind[])
      .map((k) => [k, medianBreakdown(trials.filter((t) => t.kind === k).map((t) => t.breakdown))])),
  };
  process.stdout.write(`\ncrash      p50 ${result.crashP50Ms} ms, max ${result.crashMaxMs} ms (${of('crash').length} trials)\n`);
  process.stdout.write(`hang       p50 ${percentile(of('hang'), 50)} ms, max ${result.hangMaxMs} ms (${of('hang').length} trials)\n`);
  process.stdout.write(`switchover p50 ${result.switchoverP50Ms} ms, max ${Math.max(...of('switchover'))} ms (${of('switchover').length} trials); writes paused p50 ${result.switchoverPauseP50Ms} ms\n`);
  process.stdout.write(`acknowledged writes lost: ${result.lostWrites}; acknowledged by a replaced primary: ${result.splitBrainWrites}\n`);
  for (const [kind, b] of Object.entries(result.breakdownP50Ms)) {
    process.stdout.write(`${kind.padEnd(10)} where the time went (p50 ms): detect ${b.detectMs}, ${Object.entries(b.stepsMs).map(([s, ms]) => `${s} ${ms}`).join(', ')}, then to the first write ${b.tailMs}\n`);
  }
  process.stdout.write(`primary paused ${pauseMs} ms (threshold ${FAILURE_THRESHOLD_SECONDS * 1000} ms): replaced ${falseFailovers} of ${pauseTrials} times\n`);
  process.stdout.write(`old primaries quarantined on return (unacknowledged writes of their own), rebuilt empty: ${bench.quarantines}\n`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`bench:failover: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
});
