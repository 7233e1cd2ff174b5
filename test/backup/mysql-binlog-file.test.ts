import { describe, expect, it } from '@jest/globals';
import { BinlogFormatError, eventChecksum, MysqlBinlogIndexer, mysqlBinlogTransactions } from '../../src/backup/mysql-binlog-file.js';
import { mysqlBinlog } from './mysql-binlog-builder.js';

const A = '3e11fa47-71ca-11e1-9e33-c80aa9429562';
const B = '4f22fa47-71ca-11e1-9e33-c80aa9429562';
const T0 = 1_764_806_400_000_000;

const transactions = [
  { source: A, gno: 41, commitUs: T0 + 1 },
  // Replicated from B: this server committed it 250 ms after B did.
  { source: B, gno: 7, commitUs: T0 + 500_000, immediateUs: T0 + 750_000, serverId: 101 },
  { source: A, gno: 42, commitUs: T0 + 2_000_000 },
];
const expected = [
  { source: A, gno: 41, commitUs: T0 + 1, server: 100 }, { source: B, gno: 7, commitUs: T0 + 500_000, server: 101 }, { source: A, gno: 42, commitUs: T0 + 2_000_000, server: 100 },
];

describe('mysqlBinlogTransactions', () => {
  it('reads each GTID, its original commit time and its server id, checksums verified', () => {
    expect(mysqlBinlogTransactions(mysqlBinlog(transactions), 'binlog.000007')).toEqual({ server: 100, previous: '', transactions: expected });
  });

  it('indexes a file arriving in pieces as it indexes the whole file', () => {
    const whole = mysqlBinlog(transactions, { previous: `${A}:1-40` });
    const indexer = new MysqlBinlogIndexer('binlog.000007');
    for (let i = 0; i < whole.length; i += 7) indexer.push(whole.subarray(i, i + 7));
    expect(indexer.finish()).toEqual(mysqlBinlogTransactions(whole, 'binlog.000007'));
  });

  it('reads what the server had executed before the file', () => {
    const file = mysqlBinlog(transactions, { previous: `${A}:1-40,${B}:1-3:5-6` });
    expect(mysqlBinlogTransactions(file, 'binlog.000007').previous).toBe(`${A}:1-40,${B}:1-3:5-6`);
  });

  it('reads a file the server still writes (the in-use flag is outside the checksum) and one without checksums', () => {
    expect(mysqlBinlogTransactions(mysqlBinlog(transactions, { inUse: true }), 'binlog.000007').transactions).toEqual(expected);
    expect(mysqlBinlogTransactions(mysqlBinlog(transactions, { checksums: false }), 'binlog.000007').transactions).toEqual(expected);
  });

  it('keeps the whole transactions of a file cut short and says where it was cut', () => {
    const whole = mysqlBinlog(transactions);
    // Cut inside the last transaction's rows event: its commit is missing.
    const cut = whole.length - 40;
    const read = mysqlBinlogTransactions(whole.subarray(0, cut), 'binlog.000007');
    expect(read.transactions).toEqual(expected.slice(0, 2));
    expect(read.truncatedAt).toBeLessThan(cut);
    // Cut right after a commit: nothing is lost.
    const afterCommit = mysqlBinlogTransactions(Buffer.concat([whole, whole.subarray(4, 20)]), 'binlog.000007');
    expect(afterCommit).toEqual({ server: 100, previous: '', transactions: expected, truncatedAt: whole.length });
  });

  it('refuses a damaged event by its checksum, naming the file and offset', () => {
    const damaged = mysqlBinlog(transactions);
    damaged[damaged.length - 30] ^= 0x40;
    expect(() => mysqlBinlogTransactions(damaged, 'binlog.000007')).toThrow(BinlogFormatError);
    expect(() => mysqlBinlogTransactions(damaged, 'binlog.000007')).toThrow(/^binlog\.000007: the event at \d+ \(type 16\) fails its CRC32 checksum/);
  });

  it('checks the format description with its in-use flag clear', () => {
    const open = mysqlBinlog([], { inUse: true });
    const fde = open.subarray(4, 4 + open.readUInt32LE(4 + 9));
    expect(fde.readUInt16LE(17) & 1).toBe(1);
    expect(eventChecksum(fde)).toBe(fde.readUInt32LE(fde.length - 4));
  });

  it('refuses what it can not index: not a binlog, an encrypted one, a tagged GTID', () => {
    expect(() => mysqlBinlogTransactions(Buffer.from('hello'), 'x.000001')).toThrow('x.000001 is not a binlog file');
    expect(() => mysqlBinlogTransactions(Buffer.from([0xfd, 0x62, 0x69, 0x6e, 1]), 'x.000001')).toThrow('x.000001 is encrypted');
    const tagged = mysqlBinlog([transactions[0]]);
    // Each event's header holds the next event's position: the GTID event follows the format description and previous GTIDs.
    const fdeEnd = tagged.readUInt32LE(4 + 13);
    const previousEnd = tagged.readUInt32LE(fdeEnd + 13);
    tagged[previousEnd + 4] = 42;
    const event = tagged.subarray(previousEnd, previousEnd + tagged.readUInt32LE(previousEnd + 9));
    event.writeUInt32LE(eventChecksum(event), event.length - 4);
    expect(() => mysqlBinlogTransactions(tagged, 'binlog.000002')).toThrow(`binlog.000002: the transaction at ${previousEnd} has a tagged GTID`);
  });
});
