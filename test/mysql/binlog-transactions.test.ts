/** Finding given transactions in SHOW BINLOG EVENTS rows, as each engine writes them; the text a user reads. */
import { describe, expect, it } from '@jest/globals';
import { collectTransactions, formatTransactions, olderFilesMayHold, type BinlogEvent } from '../../src/mysql/binlog-transactions.js';
import { parseGtidSet } from '../../src/mysql/gtid.js';
import { mariadbDialect } from '../../src/mysql/sql/mariadb-dialect.js';
import { mysqlDialect } from '../../src/mysql/sql/mysql-dialect.js';

const ev = (pos: number, type: string, info: string): BinlogEvent => ({ log: 'binlog.000007', pos, type, info });

describe('collectTransactions', () => {
  const nothing = (flavor: 'mysql' | 'mariadb') => parseGtidSet(flavor, '');

  it('MariaDB: each wanted transaction from its GTID event to the next, DDL included; not those the primary holds', () => {
    const events = [
      ev(4, 'Format_desc', 'Server ver: 11.4.5-MariaDB-log, Binlog ver: 4'),
      ev(256, 'Gtid_list', '[0-100-90]'),
      ev(300, 'Gtid', 'BEGIN GTID 0-100-91'),
      ev(342, 'Annotate_rows', "INSERT INTO shop.orders VALUES (1, 'acknowledged')"),
      ev(420, 'Xid', 'COMMIT /* xid=30 */'),
      ev(451, 'Gtid', 'BEGIN GTID 0-101-92'),
      ev(493, 'Annotate_rows', "INSERT INTO shop.orders VALUES (2, 'its own')"),
      ev(560, 'Table_map', 'table_id: 33 (shop.orders)'),
      ev(610, 'Write_rows_v1', 'table_id: 33 flags: STMT_END_F'),
      ev(660, 'Xid', 'COMMIT /* xid=31 */'),
      ev(691, 'Gtid', 'GTID 0-101-93'),
      ev(733, 'Query', 'CREATE TABLE shop.notes (id INT)'),
    ];
    const collect = (exclude: string) => collectTransactions(events, parseGtidSet('mariadb', '0-101-93'), parseGtidSet('mariadb', exclude), 'mariadb',
      (e) => mariadbDialect.gtidOfEvent(e.type, e.info)).map((t) => [t.gtid, t.events.map((e) => e.pos)]);
    expect(collect('0-100-91')).toEqual([['0-101-92', [451, 493, 560, 610, 660]], ['0-101-93', [691, 733]]]);
    // "0-101-93" wants everything from server 101 up to 93: what the primary holds of it is not errant.
    expect(collect('0-100-91,0-101-92')).toEqual([['0-101-93', [691, 733]]]);
  });

  it('MySQL: GTID_NEXT names the transaction', () => {
    const uuid = '3e11fa47-71ca-11e1-9e33-c80aa9429562';
    const events = [
      ev(4, 'Format_desc', 'Server ver: 8.4.3-log, Binlog ver: 4'),
      ev(126, 'Gtid', `SET @@SESSION.GTID_NEXT= '${uuid}:22'`),
      ev(205, 'Query', 'BEGIN'),
      ev(290, 'Xid', 'COMMIT /* xid=9 */'),
      ev(321, 'Gtid', `SET @@SESSION.GTID_NEXT= '${uuid}:23'`),
      ev(400, 'Query', 'BEGIN'),
      ev(480, 'Rows_query', "# INSERT INTO shop.orders VALUES (3, 'its own')"),
      ev(560, 'Xid', 'COMMIT /* xid=10 */'),
    ];
    const found = collectTransactions(events, parseGtidSet('mysql', `${uuid}:23`), nothing('mysql'), 'mysql', (e) => mysqlDialect.gtidOfEvent(e.type, e.info));
    expect(found).toEqual([{ gtid: `${uuid}:23`, events: events.slice(4) }]);
  });

  it('finds nothing when no wanted transaction is there', () => {
    expect(collectTransactions([ev(300, 'Gtid', 'BEGIN GTID 0-100-91'), ev(420, 'Xid', 'COMMIT')], parseGtidSet('mariadb', '0-101-5'), nothing('mariadb'), 'mariadb',
      (e) => mariadbDialect.gtidOfEvent(e.type, e.info))).toEqual([]);
  });
});

describe('olderFilesMayHold', () => {
  it('older binlog files are read only while the primary lacks something from before this one', () => {
    const previous = mariadbDialect.previousGtidsOfEvent('Gtid_list', '[0-100-90,0-101-5]')!;
    expect(previous).toBe('0-100-90,0-101-5');
    expect(olderFilesMayHold(parseGtidSet('mariadb', previous), parseGtidSet('mariadb', '0-100-95,0-101-5'))).toBe(false);
    expect(olderFilesMayHold(parseGtidSet('mariadb', previous), parseGtidSet('mariadb', '0-100-95'))).toBe(true);
    const uuid = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
    const mysqlPrevious = mysqlDialect.previousGtidsOfEvent('Previous_gtids', `${uuid}:1-22,\n${uuid.replace('a', 'f')}:1-3`)!;
    expect(olderFilesMayHold(parseGtidSet('mysql', mysqlPrevious), parseGtidSet('mysql', `${uuid}:1-30`))).toBe(true);
    expect(olderFilesMayHold(parseGtidSet('mysql', mysqlPrevious), parseGtidSet('mysql', `${uuid}:1-30,${uuid.replace('a', 'f')}:1-3`))).toBe(false);
    expect(mariadbDialect.previousGtidsOfEvent('Gtid', 'BEGIN GTID 0-1-1')).toBeUndefined();
  });
});

describe('gtidOfEvent', () => {
  it.each([
    [mariadbDialect, 'Gtid', 'BEGIN GTID 0-101-92', '0-101-92'],
    [mariadbDialect, 'Gtid', 'BEGIN GTID 1-102-7 cid=55', '1-102-7'],
    [mariadbDialect, 'Query', 'BEGIN GTID 0-101-92', undefined],
    [mysqlDialect, 'Gtid', "SET @@SESSION.GTID_NEXT= 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee:5'", 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee:5'],
    [mysqlDialect, 'Anonymous_Gtid', "SET @@SESSION.GTID_NEXT= 'ANONYMOUS'", undefined],
  ])('%#', (dialect, type, info, gtid) => {
    expect(dialect.gtidOfEvent(type, info)).toBe(gtid);
  });

  it('pages a binlog file by position', () => {
    expect(mariadbDialect.binlogEvents("binlog.0'1", 420, 1000)).toBe("SHOW BINLOG EVENTS IN 'binlog.0\\'1' FROM 420 LIMIT 1000");
  });
});

describe('formatTransactions', () => {
  it('a header per GTID, a line per event, and what was not found', () => {
    expect(formatTransactions({
      transactions: [{ gtid: '0-101-92', events: [ev(451, 'Gtid', 'BEGIN GTID 0-101-92'), ev(660, 'Xid', 'COMMIT /* xid=31 */')] }],
      missing: '0-101-90', scannedEvents: 1200,
    })).toBe('# 0-101-92\nbinlog.000007:451\tGtid\tBEGIN GTID 0-101-92\nbinlog.000007:660\tXid\tCOMMIT /* xid=31 */\n'
      + '# not found in the binlogs read (1200 events): 0-101-90\n');
  });
});
