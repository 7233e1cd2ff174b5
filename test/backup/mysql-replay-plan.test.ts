import { describe, expect, it } from '@jest/globals';
import { mysqlArchivedThrough, planMysqlReplay, type MysqlBinlogIndex } from '../../src/backup/mysql-replay-plan.js';

const A = '3e11fa47-71ca-11e1-9e33-c80aa9429562';
const B = '4f22fa47-71ca-11e1-9e33-c80aa9429562';
const s = 1e6;
const tx = (source: string, gno: number, seconds: number) => ({ source, gno, commitUs: seconds * s, server: source === A ? 100 : 101 });
const file = (key: string, previous: string, ...transactions: ReturnType<typeof tx>[]): MysqlBinlogIndex => ({ key, server: key.startsWith('p0') ? 100 : 101, previous, transactions });

// Primary A (pod 0) wrote A:1-4; the replica (pod 1, server B) replicated them, then a failover made it
// the primary and it wrote B:1-3. Both pods' files are archived; the backup holds A:1-2.
const p0a = file('p0/binlog.000002', '', tx(A, 1, 10), tx(A, 2, 11));
const p0b = file('p0/binlog.000003', `${A}:1-2`, tx(A, 3, 20), tx(A, 4, 21.5));
const p1a = file('p1/binlog.000002', '', tx(A, 1, 10), tx(A, 2, 11), tx(A, 3, 20), tx(A, 4, 21.5));
const p1b = file('p1/binlog.000003', `${A}:1-4`, tx(B, 1, 30), tx(B, 2, 40), tx(B, 3, 41));
const archive = [p1b, p0a, p1a, p0b];
const BACKUP = `${A}:1-2`;
/** The archive was last known complete at 50 s. */
const WATERMARK = 50;

describe('planMysqlReplay', () => {
  it.each([
    ['within the first primary, to the microsecond', 21.5, ['p0/binlog.000003'], { before: `${A}:4` }, `${A}:3`, `${A}:1-3`],
    ['across the failover', 40, ['p0/binlog.000003', 'p1/binlog.000003'], { before: `${B}:2` }, `${A}:3-4,${B}:1`, `${A}:1-4,${B}:1`],
    ['to the end of the archive', 41 + 1e-6, ['p0/binlog.000003', 'p1/binlog.000003'], { after: `${A}:3-4,${B}:1-3` }, `${A}:3-4,${B}:1-3`, `${A}:1-4,${B}:1-3`],
  ])('%s', (_what, seconds, files, stop, replayed, expected) => {
    expect(planMysqlReplay(archive, BACKUP, seconds * s)).toMatchObject({ files, stop, replayed, expected });
  });

  it('replays nothing when the backup is already past the point in time', () => {
    expect(planMysqlReplay(archive, BACKUP, 12 * s)).toEqual({ files: [], replayed: '', count: 0, expected: BACKUP, lost: [] });
  });

  it('takes the new primary\'s copies when the old primary\'s last file was never archived', () => {
    const plan = planMysqlReplay([p0a, p1a, p1b], BACKUP, 42 * s, WATERMARK);
    expect(plan).toMatchObject({ files: ['p1/binlog.000002', 'p1/binlog.000003'], count: 5, expected: `${A}:1-4,${B}:1-3` });
  });

  it('counts each transaction once however many files hold it', () => {
    expect(planMysqlReplay(archive, BACKUP, 42 * s, WATERMARK).count).toBe(5);
  });

  it('refuses a missing file, naming what the next file\'s server had executed', () => {
    expect(() => planMysqlReplay([p0a, p1b], BACKUP, 42 * s, WATERMARK))
      .toThrow(`the binlog archive lacks transactions ${A}:3-4, which the server of p1/binlog.000003 had executed before it`);
  });

  it('refuses a hole inside a file\'s transactions, naming the missing ones', () => {
    const holed = file('p0/binlog.000003', `${A}:1-2`, tx(A, 3, 20), tx(A, 6, 21));
    expect(() => planMysqlReplay([p0a, holed], BACKUP, 42 * s, WATERMARK))
      .toThrow(`the binlog archive lacks transactions ${A}:4-5: the next archived one is ${A}:6 (p0/binlog.000003)`);
  });

  describe('a transaction the old primary committed but the new one never received', () => {
    // shop-mysql-0 archived A:5 (22 s) before it failed; shop-mysql-1 took over at 30 s with A:1-4.
    const p0tail = file('p0/binlog.000003', `${A}:1-2`, tx(A, 3, 20), tx(A, 4, 21.5), tx(A, 5, 22));

    it('is left out, its file replaced by the new primary\'s copies', () => {
      const plan = planMysqlReplay([p0a, p0tail, p1a, p1b], BACKUP, 42 * s, WATERMARK);
      expect(plan).toMatchObject({ files: ['p1/binlog.000002', 'p1/binlog.000003'], replayed: `${A}:3-4,${B}:1-3`, lost: [`${A}:5 committed 1970-01-01T00:00:22.000Z`] });
    });

    it('is told apart from a later transaction of the rebuilt old primary under the same GTID', () => {
      const p0again = { ...file('p0/binlog.000004', `${A}:1-4,${B}:1-3`, tx(A, 5, 50)) };
      const plan = planMysqlReplay([p0a, p0tail, p1a, p1b, p0again], BACKUP, 55 * s, 60);
      expect(plan).toMatchObject({ files: ['p1/binlog.000002', 'p1/binlog.000003', 'p0/binlog.000004'], replayed: `${A}:3-5,${B}:1-3` });
    });

    it('refuses when only its file holds transactions to replay before it, unless the point in time comes first', () => {
      expect(() => planMysqlReplay([p0a, p0tail, p1b], BACKUP, 42 * s, WATERMARK))
        .toThrow(`p0/binlog.000003 is the only archived file with some of the transactions to replay, and it holds ${A}:5, committed by its server but never received`);
      expect(planMysqlReplay([p0a, p0tail, p1b], BACKUP, 21.5 * s)).toMatchObject({ files: ['p0/binlog.000003'], stop: { before: `${A}:4` }, replayed: `${A}:3` });
    });
  });

  it('refuses a point in time beyond the archive, unless the watermark vouches for it', () => {
    expect(() => planMysqlReplay(archive, BACKUP, 100 * s))
      .toThrow('point in time 1970-01-01T00:01:40.000Z is beyond the recoverable window: the archive holds transactions until 1970-01-01T00:00:41.000Z');
    expect(planMysqlReplay(archive, BACKUP, 100 * s, 120).stop).toEqual({ after: `${A}:3-4,${B}:1-3` });
    expect(() => planMysqlReplay([], BACKUP, 1)).toThrow('nothing is archived');
    expect(mysqlArchivedThrough(archive, undefined)).toBe(41 * s + 1);
  });
});
