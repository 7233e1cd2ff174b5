import { describe, expect, it } from '@jest/globals';
import { binlogTransactions } from '../../src/backup/binlog-file.js';
import { parseGtidPosition, planReplay, type BinlogIndex } from '../../src/backup/replay-plan.js';

const tx = (server: number, seq: number, time: number) => ({ domain: 0, server, seq, time });
const file = (key: string, ...txs: ReturnType<typeof tx>[]): BinlogIndex => ({ key, transactions: txs });

// Primary 100 wrote 1-4, then failed over to 101 (whose binlog has 1-4 as a replica), which wrote 5-7.
const archive = [
  file('p0/binlog.000002', tx(100, 1, 10), tx(100, 2, 11)),
  file('p0/binlog.000003', tx(100, 3, 20), tx(100, 4, 21)),
  file('p1/binlog.000002', tx(100, 1, 10), tx(100, 2, 11), tx(100, 3, 20), tx(100, 4, 21)),
  file('p1/binlog.000003', tx(101, 5, 30), tx(101, 6, 40), tx(101, 7, 41)),
];

describe('planReplay', () => {
  it.each([
    ['within the first primary', 21, ['p1/binlog.000002 2..3']],
    ['across the failover', 40, ['p1/binlog.000002 2..4', 'p1/binlog.000003 4..5']],
    ['up to the end of the archive', 42, ['p1/binlog.000002 2..4', 'p1/binlog.000003 4..7']],
    ['nothing after the backup', 12, []],
  ])('%s', (_what, pointInTime, expected) => {
    const plan = planReplay(archive, parseGtidPosition('0-100-2'), pointInTime);
    expect(plan.steps.map((s) => `${s.key} ${s.after.seq}..${s.last.seq}`)).toEqual(expected);
  });

  it('starts each step after the GTID the previous one ended on, with its server id', () => {
    const plan = planReplay(archive, parseGtidPosition('0-100-2'), 42);
    expect(plan.steps[1]).toMatchObject({ after: { server: 100, seq: 4 }, last: { server: 101, seq: 7 } });
  });

  it('refuses a gap in the archive, naming what is missing', () => {
    expect(() => planReplay([archive[0], archive[3]], parseGtidPosition('0-100-2'), 42))
      .toThrow('the binlog archive lacks transaction 0-*-3: the next archived one is 0-101-5 (p1/binlog.000003)');
  });

  it('refuses a point in time beyond the archive, unless the watermark vouches for it', () => {
    expect(() => planReplay(archive, parseGtidPosition('0-100-2'), 100)).toThrow('is beyond the recoverable window: the archive holds transactions until 1970-01-01T00:00:42.000Z');
    expect(planReplay(archive, parseGtidPosition('0-100-2'), 100, 120).last.seq).toBe(7);
  });

  it('refuses positions with several domains or no GTID', () => {
    expect(() => parseGtidPosition('0-100-2,1-100-9')).toThrow('has 2 domains');
    expect(() => parseGtidPosition('binlog.000002:4')).toThrow('is not a GTID position');
  });
});

describe('binlogTransactions', () => {
  it('reads GTID events and ignores a truncated tail', () => {
    const event = (type: number, time: number, server: number, body: Buffer) => {
      const header = Buffer.alloc(19);
      header.writeUInt32LE(time, 0);
      header[4] = type;
      header.writeUInt32LE(server, 5);
      header.writeUInt32LE(19 + body.length, 9);
      return Buffer.concat([header, body]);
    };
    const gtid = (seq: number, domain: number) => {
      const b = Buffer.alloc(13);
      b.writeBigUInt64LE(BigInt(seq), 0);
      b.writeUInt32LE(domain, 8);
      return b;
    };
    const bytes = Buffer.concat([
      Buffer.from([0xfe, 0x62, 0x69, 0x6e]), event(15, 1, 100, Buffer.alloc(40)), event(162, 1000, 100, gtid(7, 0)),
      event(30, 1000, 100, Buffer.alloc(8)), event(162, 1001, 101, gtid(8, 2)),
    ]);
    expect(binlogTransactions(Buffer.concat([bytes, bytes.subarray(4, 20)]))).toEqual([
      { time: 1000, server: 100, seq: 7, domain: 0 }, { time: 1001, server: 101, seq: 8, domain: 2 },
    ]);
    expect(() => binlogTransactions(Buffer.from('hello'))).toThrow('not a binlog file');
  });
});
