/** Which completed backups retention deletes, and which archived binlogs go with them. Pure. */
import { MysqlGtidSet } from '../mysql/gtid.js';

export interface KeptBackup {
  name: string;
  /** ms since the epoch. */
  completedAt: number;
}

export interface Retention {
  count?: number;
  maxAgeMs?: number;
}

/** "30m", "168h", "7d" in milliseconds (the schema's pattern). */
export function parseAge(text: string): number {
  const m = /^([1-9][0-9]*)(s|m|h|d)$/.exec(text);
  if (!m) throw new Error(`'${text}' is not a duration such as 30m, 168h or 7d`);
  return Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'];
}

/**
 * The backups to delete, each with the reason: beyond `count` (newest kept) or older than
 * `maxAge`. The newest completed backup is always kept, so a stack is never left without one.
 */
export function expiredBackups(completed: readonly KeptBackup[], retention: Retention, now: number): { name: string; reason: string }[] {
  const newestFirst = [...completed].sort((a, b) => b.completedAt - a.completedAt || b.name.localeCompare(a.name));
  return newestFirst.slice(1).flatMap((b, i) => {
    if (retention.count !== undefined && i + 1 >= retention.count) return [{ name: b.name, reason: `beyond retention.count ${retention.count}` }];
    if (retention.maxAgeMs !== undefined && now - b.completedAt > retention.maxAgeMs) return [{ name: b.name, reason: 'older than retention.maxAge' }];
    return [];
  });
}

/**
 * Archived binlog files no kept backup needs: every transaction in them is at or before the oldest
 * kept backup's position (a replay starts after a backup's position). `oldest` is that position's
 * domain and sequence number.
 */
export function prunableBinlogs(indexes: readonly { key: string; transactions: { domain: number; seq: number }[] }[],
  oldest: { domain: number; seq: number }): string[] {
  return indexes
    .filter((i) => i.transactions.length > 0 && i.transactions.every((t) => t.domain === oldest.domain && t.seq <= oldest.seq))
    .map((i) => i.key);
}

/**
 * MySQL: archived binlog files no kept backup needs: every kept backup's GTID set (`kept`, each
 * its gtid_executed) already holds all their transactions, so no replay applies any of them.
 */
export function prunableMysqlBinlogs(indexes: readonly { key: string; transactions: { source: string; gno: number }[] }[], kept: readonly string[]): string[] {
  const sets = kept.map((k) => MysqlGtidSet.parse(k));
  return indexes
    .filter((i) => i.transactions.length > 0)
    .filter((i) => {
      const held = MysqlGtidSet.parse(i.transactions.map((t) => `${t.source}:${t.gno}`).join(','));
      return sets.length > 0 && sets.every((s) => s.contains(held));
    })
    .map((i) => i.key);
}
