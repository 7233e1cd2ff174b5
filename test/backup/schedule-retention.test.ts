import { describe, expect, it } from '@jest/globals';
import { longestGapSeconds, nextRun, parseCron } from '../../src/backup/cron.js';
import { expiredBackups, parseAge, prunableBinlogs, prunableMysqlBinlogs } from '../../src/backup/retention.js';
import { backupSource } from '../../src/backup/source.js';
import { failedAttemptStatus, retryDelayMs } from '../../src/controller/backup/backup-status.js';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe('parseCron and nextRun (UTC)', () => {
  it.each([
    ['0 */6 * * *', '2026-12-03T10:17:00Z', '2026-12-03T12:00:00.000Z'],
    ['0 */6 * * *', '2026-12-03T12:00:00Z', '2026-12-03T18:00:00.000Z'],
    ['*/15 * * * *', '2026-12-03T10:59:30Z', '2026-12-03T11:00:00.000Z'],
    ['30 2 * * 0', '2026-12-03T10:00:00Z', '2026-12-06T02:30:00.000Z'],
    ['30 2 * * 7', '2026-12-03T10:00:00Z', '2026-12-06T02:30:00.000Z'],
    ['0 0 1 1 *', '2026-12-03T10:00:00Z', '2027-01-01T00:00:00.000Z'],
    ['0 0 29 2 *', '2026-12-03T10:00:00Z', '2028-02-29T00:00:00.000Z'],
    // Both day fields restricted: either one matches (the 13th, or a Friday).
    ['0 0 13 * 5', '2026-12-03T10:00:00Z', '2026-12-04T00:00:00.000Z'],
    ['5-10/5 1,3 * * *', '2026-12-03T01:06:00Z', '2026-12-03T01:10:00.000Z'],
  ])('%s after %s runs at %s', (expr, after, expected) => {
    expect(iso(nextRun(parseCron(expr), at(after)))).toBe(expected);
  });

  it.each([
    ['hourly', 'has 1 fields'],
    ['60 * * * *', "minute '60' is outside 0-59"],
    ['* 24 * * *', "hour '24' is outside 0-23"],
    ['* * 0 * *', "day of month '0' is outside 1-31"],
    ['* * * 13 *', "month '13' is outside 1-12"],
    ['*/0 * * * *', "minute '*/0' has a step below 1"],
    ['5-1 * * * *', "minute '5-1' is outside 0-59"],
    ['a * * * *', "minute 'a' is not a number"],
  ])('refuses %s, naming the field', (expr, message) => {
    expect(() => parseCron(expr)).toThrow(message);
  });

  it.each([
    ['0 */6 * * *', 6 * 3600],
    ['*/15 * * * *', 900],
    ['30 2 * * 1-5', 3 * 24 * 3600],
    ['0 0 1 * *', 31 * 24 * 3600],
    ['0 0 1 1 *', 365 * 24 * 3600],
  ])('the longest wait between two runs of %s is %i s', (expr, seconds) => {
    expect(longestGapSeconds(parseCron(expr), at('2026-12-03T10:07:00Z'))).toBe(seconds);
  });

  it('says so when a schedule never runs', () => {
    expect(() => nextRun(parseCron('0 0 30 2 *'), at('2026-12-03T00:00:00Z'))).toThrow('never runs');
  });
});

describe('expiredBackups', () => {
  const now = at('2026-12-10T00:00:00Z');
  const day = 86_400_000;
  const backups = [1, 2, 3, 4, 5].map((d) => ({ name: `b${d}`, completedAt: now - d * day }));

  it.each([
    [{ count: 3 }, ['b4', 'b5']],
    [{ count: 1 }, ['b2', 'b3', 'b4', 'b5']],
    [{ maxAgeMs: parseAge('60h') }, ['b3', 'b4', 'b5']],
    [{ count: 4, maxAgeMs: parseAge('36h') }, ['b2', 'b3', 'b4', 'b5']],
    [{}, []],
  ])('%j deletes %j', (retention, expected) => {
    expect(expiredBackups(backups, retention, now).map((b) => b.name)).toEqual(expected);
  });

  it('always keeps the newest backup, however old', () => {
    expect(expiredBackups(backups, { maxAgeMs: parseAge('1h') }, now).map((b) => b.name)).toEqual(['b2', 'b3', 'b4', 'b5']);
  });

  it('says why each one goes', () => {
    expect(expiredBackups(backups, { count: 4, maxAgeMs: parseAge('3d') }, now)).toEqual([
      { name: 'b4', reason: 'older than retention.maxAge' },
      { name: 'b5', reason: 'beyond retention.count 4' },
    ]);
  });

  it('parses ages and refuses others', () => {
    expect([parseAge('30s'), parseAge('30m'), parseAge('2h'), parseAge('7d')]).toEqual([30_000, 1_800_000, 7_200_000, 604_800_000]);
    expect(() => parseAge('1w')).toThrow("'1w' is not a duration");
  });
});

describe('prunableBinlogs', () => {
  it('are the files wholly at or before the oldest kept backup, and only those', () => {
    const tx = (seq: number) => ({ domain: 0, seq });
    const indexes = [
      { key: 'p0/binlog.000002', transactions: [tx(1), tx(2)] },
      { key: 'p0/binlog.000003', transactions: [tx(3), tx(4)] },
      { key: 'p0/binlog.000004', transactions: [tx(5)] },
      { key: 'p0/binlog.000005', transactions: [] },
      { key: 'p0/binlog.000006', transactions: [{ domain: 1, seq: 1 }] },
    ];
    expect(prunableBinlogs(indexes, { domain: 0, seq: 4 })).toEqual(['p0/binlog.000002', 'p0/binlog.000003']);
    expect(prunableBinlogs(indexes, { domain: 0, seq: 3 })).toEqual(['p0/binlog.000002']);
  });
});

describe('prunableMysqlBinlogs', () => {
  it('are the files every kept backup already holds', () => {
    const A = '3e11fa47-71ca-11e1-9e33-c80aa9429562';
    const B = '4f22fa47-71ca-11e1-9e33-c80aa9429562';
    const tx = (source: string, gno: number) => ({ source, gno });
    const indexes = [
      { key: 'p0/binlog.000002', transactions: [tx(A, 1), tx(A, 2)] },
      { key: 'p0/binlog.000003', transactions: [tx(A, 3), tx(A, 4)] },
      { key: 'p1/binlog.000003', transactions: [tx(A, 4), tx(B, 1)] },
      { key: 'p1/binlog.000004', transactions: [] },
    ];
    expect(prunableMysqlBinlogs(indexes, [`${A}:1-4,${B}:1`, `${A}:1-3`])).toEqual(['p0/binlog.000002']);
    expect(prunableMysqlBinlogs(indexes, [`${A}:1-4,${B}:1`])).toEqual(['p0/binlog.000002', 'p0/binlog.000003', 'p1/binlog.000003']);
    expect(prunableMysqlBinlogs(indexes, [])).toEqual([]);
  });
});

describe('backupSource', () => {
  it.each([
    ['the replica with the least lag', [
      { name: 's-0', role: 'primary', ready: true }, { name: 's-1', role: 'replica', ready: true, lagSeconds: 3 },
      { name: 's-2', role: 'replica', ready: true, lagSeconds: 0 },
    ], 's-2'],
    ['a ready replica over a lagging-but-unready one', [
      { name: 's-0', role: 'primary', ready: true }, { name: 's-1', role: 'replica', ready: false, lagSeconds: 0 },
      { name: 's-2', role: 'replica', ready: true },
    ], 's-2'],
    ['the primary when no replica is ready', [
      { name: 's-0', role: 'primary', ready: true }, { name: 's-1', role: 'replica', ready: false },
      { name: 's-2', role: 'quarantined', ready: true },
    ], 's-0'],
    ['nothing when nothing is ready', [{ name: 's-0', role: 'primary', ready: false }], undefined],
  ] as const)('picks %s', (_what, instances, expected) => {
    const picked = backupSource(instances as never);
    expect(picked.name).toBe(expected);
    expect(picked.reason).toBeTruthy();
  });
});

describe('retries of a failed backup', () => {
  it('wait longer each time, up to 32 times the base', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 10].map((n) => retryDelayMs(n, 1000))).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 32000, 32000]);
  });

  it('stay Pending until the last attempt, which fails the backup', () => {
    expect(failedAttemptStatus(2, 3, 'boom')).toEqual({ phase: 'Pending', attempts: 2, message: 'attempt 2 failed, retrying: boom' });
    expect(failedAttemptStatus(3, 3, 'boom')).toEqual({ phase: 'Failed', attempts: 3, message: 'boom (gave up after 3 attempts)' });
  });
});
