/**
 * Which archived binlog files a point-in-time restore replays, and from where: a chain in GTID
 * order that starts right after the backup's position, skips what another server's copy already
 * covered (after a failover both old and new primary hold the same transactions), and stops
 * before the first transaction at or after the point in time. Pure.
 */
import type { ArchivedTransaction } from './binlog-file.js';

export interface BinlogIndex {
  /** Store key of the binlog file. */
  key: string;
  transactions: ArchivedTransaction[];
}

export interface Gtid {
  domain: number;
  server: number;
  seq: number;
}

export const gtidText = (g: Gtid): string => `${g.domain}-${g.server}-${g.seq}`;

export interface ReplayStep {
  key: string;
  /** Replay the file's transactions after this one (a GTID start position, exclusive)... */
  after: Gtid;
  /** ...up to and including this one. */
  last: Gtid;
}

export interface ReplayPlan {
  steps: ReplayStep[];
  /** The last transaction replayed (the backup's own when none is). */
  last: Gtid;
}

/** "0-101-5" -> { domain: 0, server: 101, seq: 5 }; only one domain is supported. */
export function parseGtidPosition(position: string): Gtid {
  const parts = position.split(',').map((p) => p.trim()).filter(Boolean);
  if (parts.length !== 1) throw new Error(`GTID position '${position}' has ${parts.length} domains; point-in-time recovery supports one`);
  const m = /^(\d+)-(\d+)-(\d+)$/.exec(parts[0]);
  if (!m) throw new Error(`'${position}' is not a GTID position`);
  return { domain: Number(m[1]), server: Number(m[2]), seq: Number(m[3]) };
}

/** The end of the recoverable window (seconds): the archive holds every transaction stamped before it. */
export function archivedThrough(indexes: readonly BinlogIndex[], watermark: number | undefined): number | undefined {
  const times = indexes.flatMap((i) => i.transactions.map((t) => t.time + 1));
  if (watermark !== undefined) times.push(watermark);
  return times.length ? Math.max(...times) : undefined;
}

/**
 * `pointInTime` in whole seconds: transactions stamped before it are replayed, none at or after
 * it. `watermark`: when the archive was last known complete (seconds).
 */
export function planReplay(indexes: readonly BinlogIndex[], from: Gtid, pointInTime: number, watermark?: number): ReplayPlan {
  const through = archivedThrough(indexes, watermark);
  if (through === undefined || pointInTime > through) {
    const until = through === undefined ? 'nothing is archived' : `the archive holds transactions until ${new Date(through * 1000).toISOString()}`;
    throw new Error(`point in time ${new Date(pointInTime * 1000).toISOString()} is beyond the recoverable window: ${until}`);
  }
  const files = indexes
    .map((i) => ({ key: i.key, txs: i.transactions.filter((t) => t.domain === from.domain).sort((a, b) => a.seq - b.seq) }))
    .filter((f) => f.txs.length > 0)
    .sort((a, b) => a.txs[0].seq - b.txs[0].seq || b.txs[b.txs.length - 1].seq - a.txs[a.txs.length - 1].seq);
  const steps: ReplayStep[] = [];
  let applied: Gtid = from;
  for (const f of files) {
    const wanted = f.txs.filter((t) => t.seq > applied.seq);
    if (wanted.length === 0) continue;
    if (wanted[0].time >= pointInTime) break;
    if (wanted[0].seq !== applied.seq + 1) {
      throw new Error(`the binlog archive lacks transaction ${from.domain}-*-${applied.seq + 1}: the next archived one is ${gtidText(wanted[0])} (${f.key})`);
    }
    const before = wanted.filter((t) => t.time < pointInTime);
    const last = before[before.length - 1];
    steps.push({ key: f.key, after: applied, last: { domain: last.domain, server: last.server, seq: last.seq } });
    applied = steps[steps.length - 1].last;
    if (before.length < wanted.length) break;
  }
  return { steps, last: applied };
}
