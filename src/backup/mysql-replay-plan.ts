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

/** A binary heap: the least entry first. */
class Heap<T> {
  private readonly items: T[] = [];

  constructor(private readonly less: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    const a = this.items;
    a.push(item);
    for (let i = a.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (!this.less(a[i], a[parent])) break;
      [a[i], a[parent]] = [a[parent], a[i]];
      i = parent;
    }
  }

  pop(): T | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.less(a[l], a[m])) m = l;
        if (r < a.length && this.less(a[r], a[m])) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
}

interface Candidate {
  file: MysqlBinlogIndex;
  /** Its transactions before this one are covered. */
  next: number;
  /** The commit time of its first transaction not covered when it was last looked at (it only grows). */
  key: number;
  tainted: boolean;
}

/**
 * Files in apply order: next, the one whose first transaction not yet covered committed first (of
 * files as early, one holding no lost transaction). A file's key only grows as others cover its
 * transactions, so a heap re-checked lazily keeps this near linear in the archive's size.
 */
function chain(indexes: readonly MysqlBinlogIndex[], backup: MysqlGtidSet, lost: ReadonlySet<string>): Link[] {
  const out: Link[] = [];
  const covered = new Covered(backup);
  const skip = (t: MysqlArchivedTransaction): boolean => covered.has(t) || lost.has(identity(t));
  const heap = new Heap<Candidate>((a, b) => a.key < b.key || (a.key === b.key && (a.tainted !== b.tainted ? !a.tainted : a.file.key < b.file.key)));
  for (const file of indexes) {
    heap.push({ file, next: 0, key: -Infinity, tainted: file.transactions.some((t) => lost.has(identity(t))) });
  }
  for (let c = heap.pop(); c; c = heap.pop()) {
    const txs = c.file.transactions;
    while (c.next < txs.length && skip(txs[c.next])) c.next += 1;
    if (c.next === txs.length) continue;
    if (txs[c.next].commitUs !== c.key) {
      c.key = txs[c.next].commitUs;
      heap.push(c);
      continue;
    }
    const fresh = txs.slice(c.next).filter((t) => !skip(t));
    out.push({ key: c.file.key, previous: c.file.previous, all: txs, fresh });
    for (const t of fresh) covered.add(t);
  }
  return out;
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

/**
 * Transactions (by identity) an old primary committed that the server which took over never had.
 * A server takes over where it writes a transaction of its own first after a file (of its own
 * pod's, in order) that ended with another's, or in its first archived file.
 */
function lostTransactions(indexes: readonly MysqlBinlogIndex[]): Map<string, MysqlArchivedTransaction> {
  const byPod = new Map<string, MysqlBinlogIndex[]>();
  for (const f of [...indexes].sort((a, b) => a.key.localeCompare(b.key))) {
    const pod = f.key.slice(0, f.key.lastIndexOf('/'));
    byPod.set(pod, [...(byPod.get(pod) ?? []), f]);
  }
  const takeovers: { file: MysqlBinlogIndex; first: number }[] = [];
  for (const files of byPod.values()) {
    let wasPrimary = false;
    for (const f of files) {
      const first = f.transactions.findIndex((t) => t.server === f.server);
      if (first > 0 || (first === 0 && !wasPrimary)) takeovers.push({ file: f, first });
      if (f.transactions.length) wasPrimary = f.transactions[f.transactions.length - 1].server === f.server;
    }
  }
  const lost = new Map<string, MysqlArchivedTransaction>();
  for (const { file, first } of takeovers) {
    const tookOver = file.transactions[first].commitUs;
    const had = new Covered(MysqlGtidSet.parse(file.previous));
    for (const t of file.transactions.slice(0, first)) had.add(t);
    for (const g of indexes) {
      for (const t of g.transactions) if (t.server !== file.server && t.commitUs < tookOver && !had.has(t)) lost.set(identity(t), t);
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
