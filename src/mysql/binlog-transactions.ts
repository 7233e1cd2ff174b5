/**
 * The binlog events of given transactions, from `SHOW BINLOG EVENTS` rows: a transaction is its
 * GTID event and every event after it up to the next GTID event. Pure: the SQL that reads the rows
 * is in sql/sql-database.ts, the dialect says how a GTID event names its transaction.
 */
import type { GtidFlavor, GtidSet } from './gtid.js';
import { parseGtidSet } from './gtid.js';

/** One row of SHOW BINLOG EVENTS, in the file it was read from. */
export interface BinlogEvent {
  log: string;
  pos: number;
  type: string;
  info: string;
}

export interface BinlogTransaction {
  gtid: string;
  events: BinlogEvent[];
}

/** What a search found, and how far it looked. */
export interface BinlogSearch {
  transactions: BinlogTransaction[];
  /** The wanted GTIDs not found in what was read (older files purged, or past the scan limit). */
  missing: string;
  scannedEvents: number;
}

/**
 * Collects, in order, the transactions of `events` (one binlog file, or consecutive pages of it)
 * whose GTID is in `wanted` and not in `exclude` (what the primary holds: a MariaDB set is a last
 * sequence number per server, so "wanted" alone would take in older transactions the primary has
 * too); `gtidOf` returns the GTID an event starts, undefined for other events.
 */
export function collectTransactions(events: readonly BinlogEvent[], wanted: GtidSet, exclude: GtidSet, flavor: GtidFlavor,
  gtidOf: (e: BinlogEvent) => string | undefined): BinlogTransaction[] {
  const found: BinlogTransaction[] = [];
  let current: BinlogTransaction | undefined;
  for (const e of events) {
    const gtid = gtidOf(e);
    const one = gtid === undefined ? undefined : parseGtidSet(flavor, gtid);
    if (gtid !== undefined) current = wanted.contains(one!) && !exclude.contains(one!) ? { gtid, events: [] } : undefined;
    if (current) {
      if (gtid !== undefined) found.push(current);
      current.events.push(e);
    }
  }
  return found;
}

/**
 * Whether binlog files older than one whose previous-GTIDs event (MariaDB Gtid_list, MySQL
 * Previous_gtids) says `previous` may still hold wanted transactions: not when the primary holds
 * everything that came before it.
 */
export function olderFilesMayHold(previous: GtidSet, exclude: GtidSet): boolean {
  return !exclude.contains(previous);
}

/** The transactions as a user reads them: a header per GTID, one line per event (file:position, type, info). */
export function formatTransactions(search: BinlogSearch): string {
  const lines: string[] = [];
  for (const t of search.transactions) {
    lines.push(`# ${t.gtid}`);
    for (const e of t.events) lines.push(`${e.log}:${e.pos}\t${e.type}\t${e.info}`);
  }
  if (search.missing) lines.push(`# not found in the binlogs read (${search.scannedEvents} events): ${search.missing}`);
  return `${lines.join('\n')}\n`;
}
