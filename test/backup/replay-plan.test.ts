import { describe, expect, it } from '@jest/globals';
import { BinlogScanner } from '../../src/backup/binlog-file.js';
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

/** A file's transactions, its bytes pushed in chunks of `size` (0: whole). */
function scan(bytes: Buffer, size = 0): ReturnType<BinlogScanner['finish']> {
  const scanner = new BinlogScanner();
  for (let pos = 0; pos < bytes.length; pos += size || bytes.length) scanner.push(bytes.subarray(pos, pos + (size || bytes.length)));
  return scanner.finish();
}

describe('BinlogScanner', () => {
  it('reads GTID events and ignores a truncated tail, however the bytes are cut into chunks', () => {
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
    const both = [{ time: 1000, server: 100, seq: 7, domain: 0 }, { time: 1001, server: 101, seq: 8, domain: 2 }];
    for (const size of [0, 1, 2, 3, 5, 19, 20, 31, 32, 64]) {
      expect(scan(Buffer.concat([bytes, bytes.subarray(4, 20)]), size)).toEqual(both);
      // A GTID event cut short at the end is not counted, even when its GTID was read.
      const cut = event(162, 1002, 100, gtid(9, 0));
      expect(scan(Buffer.concat([bytes, cut.subarray(0, cut.length - 1)]), size)).toEqual(both);
      expect(scan(Buffer.concat([bytes, cut]), size)).toEqual([...both, { time: 1002, server: 100, seq: 9, domain: 0 }]);
    }
    // An impossible size ends the reading.
    const broken = event(30, 1, 100, Buffer.alloc(0));
    broken.writeUInt32LE(5, 9);
    expect(scan(Buffer.concat([bytes, broken, event(162, 1003, 100, gtid(10, 0))]), 7)).toEqual(both);
    expect(() => scan(Buffer.from('hello'))).toThrow('not a binlog file');
    expect(() => scan(Buffer.from([0xfe, 0x62]))).toThrow('not a binlog file');
  });
});
