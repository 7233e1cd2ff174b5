/**
 * Which archived MySQL binlog files a point-in-time restore hands to the server's applier, in
 * which order, and where it stops. Pure.
 *
 * MySQL GTIDs name each transaction once (source UUID and number), and the applier skips one the
 * server has already executed. So the files go in as they are, overlaps and all (after a failover
 * the old and the new primary's files hold the same transactions), in the order that takes each
 * transaction as early as it was committed: the file whose first transaction not yet covered
 * committed first comes next. The stop is the first transaction in that order committed at or
 * after the point in time (its original commit timestamp, microseconds): the applier stops before
 * it (START REPLICA SQL_THREAD UNTIL SQL_BEFORE_GTIDS), or after all of them when none is.
 *
 * A transaction an old primary committed (and the archive copied) that the server which took over
 * never received is not part of the stack's history after the failover (with semi-sync no client
 * was told it committed): the first transaction a file's server wrote itself shows what that server
 * had when it took over (the file's previous-GTIDs set and what precedes it in the file), and
 * another server's transaction committed before it and missing there is left out. Its file is
 * not placed when other files hold the rest of it; when one would have to be, the plan refuses,
 * naming it. A transaction is known by its GTID and commit time: a rebuilt old primary may reuse
 * the GTID later for another.
 */
import { MysqlGtidSet } from '../mysql/gtid.js';
import type { MysqlArchivedTransaction } from './mysql-binlog-file.js';

export interface MysqlBinlogIndex {
  /** Store key of the binlog file. */
  key: string;
  /** The server_id of the server that wrote it. */
  server: number;
  /** The GTID set its server had executed before it. */
  previous: string;
  /** In file order. */
  transactions: MysqlArchivedTransaction[];
}

export type ReplayStop = { before: string } | { after: string };

export interface MysqlReplayPlan {
  /** Store keys, in the order the applier reads them (relay log files 1..n). Empty: nothing to replay. */
  files: string[];
  /** Undefined when nothing is replayed. */
  stop?: ReplayStop;
  /** The transactions replayed (a GTID set). */
  replayed: string;
  count: number;
  /** What gtid_executed holds afterwards: the backup's set and the replayed one. */
  expected: string;
  /** Archived transactions left out ('<gtid> committed <time>'): committed by an old primary, never received by the one that took over. */
  lost: string[];
}

const gtidOf = (t: MysqlArchivedTransaction): string => `${t.source}:${t.gno}`;
const identity = (t: MysqlArchivedTransaction): string => `${gtidOf(t)}@${t.commitUs}`;
const iso = (us: number): string => new Date(Math.floor(us / 1000)).toISOString();

/** The end of the recoverable window (microseconds): every transaction committed before it is archived. */
export function mysqlArchivedThrough(indexes: readonly MysqlBinlogIndex[], watermarkSeconds: number | undefined): number | undefined {
  let through = watermarkSeconds === undefined ? undefined : watermarkSeconds * 1e6;
  for (const i of indexes) for (const t of i.transactions) through = Math.max(through ?? 0, t.commitUs + 1);
  return through;
}

/** Membership of single GTIDs: the backup's set (intervals per source) and what was added to it. */
class Covered {
  private readonly intervals = new Map<string, [number, number][]>();
  private readonly added = new Map<string, Set<number>>();

  constructor(private readonly backup: MysqlGtidSet) {}

  has(t: MysqlArchivedTransaction): boolean {
    if (this.added.get(t.source)?.has(t.gno)) return true;
    let list = this.intervals.get(t.source);
    if (!list) {
      list = this.backup.fromSource(t.source).toString().split(':').slice(1)
        .map((i) => i.split('-').map(Number)).map(([s, e]) => [s, e ?? s] as [number, number]);
      this.intervals.set(t.source, list);
    }
    return list.some(([s, e]) => t.gno >= s && t.gno <= e);
  }

  add(t: MysqlArchivedTransaction): void {
    const set = this.added.get(t.source) ?? new Set<number>();
    set.add(t.gno);
    this.added.set(t.source, set);
  }
}

interface Link {
  key: string;
  previous: string;
  all: MysqlArchivedTransaction[];
  /** Its transactions not in the backup nor in an earlier file, in file order. */
  fresh: MysqlArchivedTransaction[];
}

/** Files in apply order: next, the one whose first transaction not yet covered committed first. */
function chain(indexes: readonly MysqlBinlogIndex[], backup: MysqlGtidSet, lost: ReadonlySet<string>): Link[] {
  const out: Link[] = [];
  const covered = new Covered(backup);
  const left = [...indexes].sort((a, b) => a.key.localeCompare(b.key));
  const tainted = (c: Link): boolean => c.all.some((t) => lost.has(identity(t)));
  for (;;) {
    const candidates = left.map((f) => ({ key: f.key, previous: f.previous, all: f.transactions,
      fresh: f.transactions.filter((t) => !covered.has(t) && !lost.has(identity(t))) }))
      .filter((c) => c.fresh.length > 0);
    if (candidates.length === 0) return out;
    // The earliest first; of files as early, one holding no lost transaction.
    const next = candidates.reduce((best, c) => (c.fresh[0].commitUs < best.fresh[0].commitUs
      || (c.fresh[0].commitUs === best.fresh[0].commitUs && tainted(best) && !tainted(c)) ? c : best));
    out.push(next);
    left.splice(left.findIndex((f) => f.key === next.key), 1);
    for (const t of next.fresh) covered.add(t);
  }
}

/** Refuses a replay that would skip transactions: per source, the replayed numbers continue the backup's without a hole. */
function checkContinuity(backup: MysqlGtidSet, replayed: { t: MysqlArchivedTransaction; key: string }[]): void {
  const last = new Map<string, number>();
  for (const { t, key } of replayed) {
    const before = last.get(t.source) ?? highest(backup, t.source);
    if (t.gno !== before + 1) {
      const missing = `${t.source}:${before + 1}${t.gno - 1 > before + 1 ? `-${t.gno - 1}` : ''}`;
      throw new Error(`the binlog archive lacks transactions ${missing}: the next archived one is ${gtidOf(t)} (${key})`);
    }
    last.set(t.source, t.gno);
  }
}

function highest(set: MysqlGtidSet, source: string): number {
  const text = set.fromSource(source).toString();
  const m = /(\d+)$/.exec(text);
  return m ? Number(m[1]) : 0;
}

/** Transactions (by identity) an old primary committed that the server which took over never had. */
function lostTransactions(indexes: readonly MysqlBinlogIndex[]): Map<string, MysqlArchivedTransaction> {
  const lost = new Map<string, MysqlArchivedTransaction>();
  for (const f of indexes) {
    const first = f.transactions.findIndex((t) => t.server === f.server);
    if (first < 0) continue;
    const tookOver = f.transactions[first].commitUs;
    const had = new Covered(MysqlGtidSet.parse(f.previous));
    for (const t of f.transactions.slice(0, first)) had.add(t);
    for (const g of indexes) {
      for (const t of g.transactions) if (t.server !== f.server && t.commitUs < tookOver && !had.has(t)) lost.set(identity(t), t);
    }
  }
  return lost;
}

/**
 * `backupGtids`: the backup's gtid_executed. `pointInTimeUs`: transactions committed before it are
 * replayed, none at or after it. `watermarkSeconds`: when the archive was last known complete.
 */
export function planMysqlReplay(indexes: readonly MysqlBinlogIndex[], backupGtids: string, pointInTimeUs: number, watermarkSeconds?: number): MysqlReplayPlan {
  const through = mysqlArchivedThrough(indexes, watermarkSeconds);
  if (through === undefined || pointInTimeUs > through) {
    const until = through === undefined ? 'nothing is archived' : `the archive holds transactions until ${iso(through)}`;
    throw new Error(`point in time ${iso(pointInTimeUs)} is beyond the recoverable window: ${until}`);
  }
  const backup = MysqlGtidSet.parse(backupGtids);
  const files: string[] = [];
  const replayed: { t: MysqlArchivedTransaction; key: string }[] = [];
  let stop: MysqlArchivedTransaction | undefined;
  let applied: MysqlGtidSet = backup;
  const lost = lostTransactions(indexes);
  for (const link of chain(indexes, backup, new Set(lost.keys()))) {
    // What the file's server had executed before it must be in place before the file is: else a file is missing.
    const missing = MysqlGtidSet.parse(link.previous).subtract(applied);
    if (!missing.isEmpty()) {
      throw new Error(`the binlog archive lacks transactions ${missing.toString()}, which the server of ${link.key} had executed before it`);
    }
    const cut = link.fresh.findIndex((t) => t.commitUs >= pointInTimeUs);
    // The applier would apply a lost transaction the file holds before the stop.
    const end = cut < 0 ? link.all.length : link.all.indexOf(link.fresh[cut]);
    const applies = link.all.slice(0, end).find((t) => lost.has(identity(t)) && !backup.contains(MysqlGtidSet.parse(gtidOf(t))));
    if (applies) {
      throw new Error(`${link.key} is the only archived file with some of the transactions to replay, and it holds ${gtidOf(applies)}, committed by its `
        + 'server but never received by the server that took over: replaying it would bring back a transaction the stack lost; choose a point in time before it');
    }
    // The file holding the stop goes in too: the applier stops when it reaches that transaction.
    files.push(link.key);
    replayed.push(...link.fresh.slice(0, cut < 0 ? undefined : cut).map((t) => ({ t, key: link.key })));
    if (cut >= 0) {
      stop = link.fresh[cut];
      break;
    }
    applied = applied.union(MysqlGtidSet.parse(link.fresh.map(gtidOf).join(','))) as MysqlGtidSet;
  }
  checkContinuity(backup, replayed);
  const set = MysqlGtidSet.parse(replayed.map(({ t }) => gtidOf(t)).join(','));
  const left = [...lost.values()].filter((t) => !backup.contains(MysqlGtidSet.parse(gtidOf(t)))).map((t) => `${gtidOf(t)} committed ${iso(t.commitUs)}`);
  if (replayed.length === 0) return { files: [], replayed: '', count: 0, expected: backup.toString(), lost: left };
  return {
    lost: left,
    files,
    stop: stop ? { before: gtidOf(stop) } : { after: set.toString() },
    replayed: set.toString(),
    count: replayed.length,
    expected: backup.union(set).toString(),
  };
}
