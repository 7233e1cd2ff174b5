/** Figures of the failover benchmark. Pure. */
import type { AckedWrite } from '../../test/support/mariadb-cluster.js';

export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** The primary's server_id at time `at`, from the record's history of primaries. */
export function primaryAt(history: { at: number; primaryServerId: number }[], at: number): number | undefined {
  let id: number | undefined;
  for (const h of history) if (h.at <= at) id = h.primaryServerId;
  return id;
}

/**
 * Writes acknowledged by a server after the record had named another primary: what a split brain
 * looks like to an application.
 */
export function splitBrainWrites(acked: AckedWrite[], history: { at: number; primaryServerId: number }[]): AckedWrite[] {
  return acked.filter((a) => {
    const p = primaryAt(history, a.at);
    return p !== undefined && p !== a.serverId;
  });
}

/**
 * How long writes stood still before the first write the new primary acknowledged: from the
 * write acknowledged just before it (by any server) to it. What an application sees as the pause.
 */
export function writePauseMs(acked: AckedWrite[], firstOnNewAt: number): number {
  const before = acked.filter((a) => a.at < firstOnNewAt).map((a) => a.at);
  return before.length ? firstOnNewAt - Math.max(...before) : NaN;
}

export interface LogEntry {
  at: number;
  message: string;
  fields: Record<string, unknown>;
}

/** Where one trial's time went, in ms from the signal. */
export interface Breakdown {
  /** Signal to the manager deciding the failover or switchover. */
  detectMs: number;
  /** Each step of the action, by name (a step run twice counts twice). */
  stepsMs: Record<string, number>;
  /** The last step's end to the first write acknowledged by the new primary (the writers' retry, the proxy). */
  tailMs: number;
}

const ACTIONS = new Set(['failover', 'switchover']);

/** From the manager's log after the signal: its decision, then its steps until the action ends. */
export function breakdownOf(entries: LogEntry[], signalAt: number, firstWriteAt: number): Breakdown {
  const decided = entries.find((e) => e.message === 'database action' && ACTIONS.has(String(e.fields.action)));
  const stepsMs: Record<string, number> = {};
  let lastStepAt = decided?.at ?? signalAt;
  for (const e of entries) {
    if (!decided || e.at < decided.at || e.message !== 'database action step done' || !ACTIONS.has(String(e.fields.action))) continue;
    const step = String(e.fields.step);
    stepsMs[step] = (stepsMs[step] ?? 0) + Number(e.fields.ms);
    lastStepAt = e.at;
  }
  return { detectMs: (decided?.at ?? signalAt) - signalAt, stepsMs, tailMs: Math.max(0, firstWriteAt - lastStepAt) };
}

/** The median of each part over several trials (a step absent from a trial counts as 0 there). */
export function medianBreakdown(all: Breakdown[]): Breakdown {
  const steps = [...new Set(all.flatMap((b) => Object.keys(b.stepsMs)))];
  return {
    detectMs: percentile(all.map((b) => b.detectMs), 50),
    stepsMs: Object.fromEntries(steps.map((s) => [s, percentile(all.map((b) => b.stepsMs[s] ?? 0), 50)])),
    tailMs: percentile(all.map((b) => b.tailMs), 50),
  };
}
