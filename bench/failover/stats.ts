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
