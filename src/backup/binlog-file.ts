/**
 * What the binlog archive needs to know of a MariaDB binlog file: each transaction's GTID and
 * timestamp, read from the GTID events (the event header and the GTID event layout of MariaDB's
 * binlog format; a truncated tail is ignored). Pure.
 */

export interface ArchivedTransaction {
  domain: number;
  server: number;
  seq: number;
  /** The event's timestamp, whole seconds since the epoch. */
  time: number;
}

const MAGIC = Buffer.from([0xfe, 0x62, 0x69, 0x6e]);
const HEADER = 19;
const GTID_EVENT = 162;

export function binlogTransactions(file: Buffer): ArchivedTransaction[] {
  if (file.length < MAGIC.length || !file.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error('not a binlog file (no magic number)');
  const out: ArchivedTransaction[] = [];
  for (let pos = MAGIC.length; pos + HEADER <= file.length;) {
    const size = file.readUInt32LE(pos + 9);
    if (size < HEADER || pos + size > file.length) break;
    if (file[pos + 4] === GTID_EVENT && size >= HEADER + 12) {
      out.push({
        time: file.readUInt32LE(pos),
        server: file.readUInt32LE(pos + 5),
        seq: Number(file.readBigUInt64LE(pos + HEADER)),
        domain: file.readUInt32LE(pos + HEADER + 8),
      });
    }
    pos += size;
  }
  return out;
}
