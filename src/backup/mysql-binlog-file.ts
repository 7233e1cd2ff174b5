/**
 * What the binlog archive needs to know of a MySQL 8.4 binlog file (binlog format v4): each
 * transaction's GTID (source UUID and transaction number) and its original commit time, read from
 * the GTID events. Every event is checked against its CRC32 when the file's format description
 * event says the server wrote checksums (binlog_checksum=CRC32, the default). Pure.
 *
 * Layout (MySQL's libbinlogevents): the magic number, then events of a 19-byte common header
 * (timestamp u32, type u8, server_id u32, event size u32, next position u32, flags u16), all
 * little-endian. The first event is the format description event (15): binlog version u16, server
 * version char[50], creation time u32, header length u8, one post-header length per event type,
 * the checksum algorithm u8 (0 none, 1 CRC32) and its checksum; the server clears its
 * "binlog in use" flag when it closes the file without recomputing the checksum, so the checksum
 * covers the event with that flag clear. A GTID event (33) holds, after its post-header (commit
 * flag u8, source UUID [16], GNO i64, logical clock type u8, last_committed i64, sequence_number
 * i64), the immediate commit timestamp in 7 bytes (microseconds; its top bit set when the original
 * commit timestamp, 7 more bytes, follows: a transaction replicated from another source). The
 * previous-GTIDs event (35) says what the server had executed before the file: a count of sources
 * u64 (its top byte 0: untagged), then per source its UUID [16], a count of intervals u64 and the
 * intervals (start i64, end i64 exclusive).
 */
import { crc32 } from 'node:zlib';

export interface MysqlArchivedTransaction {
  /** The source server's UUID (lower case, dashed). */
  source: string;
  /** The transaction number (GNO) within the source. */
  gno: number;
  /** original_commit_timestamp: when the source committed it, microseconds since the epoch. */
  commitUs: number;
  /** The server_id its events carry (the originating server's, kept by the replicas that log it). */
  server: number;
}

export interface MysqlBinlogContents {
  /** The server_id of the server that wrote the file (its format description event's). */
  server: number;
  /** The GTID set the server had executed before this file (its previous-GTIDs event). */
  previous: string;
  transactions: MysqlArchivedTransaction[];
  /** Where the file stops being whole (a copy cut short); undefined for a whole file. */
  truncatedAt?: number;
}

export class BinlogFormatError extends Error {}

const MAGIC = Buffer.from([0xfe, 0x62, 0x69, 0x6e]);
/** binlog_encryption=ON files start with this magic and a keyring header instead. */
const ENCRYPTED_MAGIC = Buffer.from([0xfd, 0x62, 0x69, 0x6e]);
const HEADER = 19;
const FLAGS_OFFSET = 17;
const BINLOG_IN_USE = 0x1;
export const MYSQL_EVENT = { formatDescription: 15, xid: 16, gtid: 33, previousGtids: 35, gtidTagged: 42 } as const;
/** Format description body before the post-header lengths: version, server version, creation time, header length. */
const FDE_FIXED = 2 + 50 + 4 + 1;
const CHECKSUM_CRC32 = 1;
const CHECKSUM_LEN = 4;
const GTID_POST_HEADER = 1 + 16 + 8 + 1 + 8 + 8;
const COMMIT_TIMESTAMP_LEN = 7;
const ORIGINAL_FOLLOWS = 1n << 55n;

function uuidText(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function readUInt56(buf: Buffer, at: number): bigint {
  return BigInt(buf.readUInt32LE(at)) | (BigInt(buf.readUInt16LE(at + 4)) << 32n) | (BigInt(buf[at + 6]) << 48n);
}

/** The CRC32 MySQL stores at an event's end: of the event's other bytes, the in-use flag of a format description clear. */
export function eventChecksum(event: Buffer): number {
  const body = event.subarray(0, event.length - CHECKSUM_LEN);
  if (body[4] !== MYSQL_EVENT.formatDescription) return crc32(body);
  const copy = Buffer.from(body);
  copy.writeUInt16LE(copy.readUInt16LE(FLAGS_OFFSET) & ~BINLOG_IN_USE, FLAGS_OFFSET);
  return crc32(copy);
}

interface Format {
  checksums: boolean;
  gtidPostHeader: number;
}

function formatOf(event: Buffer, name: string): Format {
  const size = event.length;
  if (event[4] !== MYSQL_EVENT.formatDescription || size < HEADER + FDE_FIXED + 1 + 1 + CHECKSUM_LEN) {
    throw new BinlogFormatError(`${name}: the first event is not a format description event`);
  }
  const version = event.readUInt16LE(HEADER);
  if (version !== 4) throw new BinlogFormatError(`${name}: binlog format version ${version}, not 4`);
  const headerLength = event[HEADER + FDE_FIXED - 1];
  if (headerLength !== HEADER) throw new BinlogFormatError(`${name}: event header of ${headerLength} bytes, not ${HEADER}`);
  const algorithm = event[size - CHECKSUM_LEN - 1];
  const postHeaders = size - HEADER - FDE_FIXED - 1 - CHECKSUM_LEN;
  const gtidPostHeader = MYSQL_EVENT.gtid <= postHeaders ? event[HEADER + FDE_FIXED + MYSQL_EVENT.gtid - 1] : GTID_POST_HEADER;
  if (gtidPostHeader < GTID_POST_HEADER) throw new BinlogFormatError(`${name}: GTID events of a ${gtidPostHeader}-byte post-header are not MySQL 8's`);
  return { checksums: algorithm === CHECKSUM_CRC32, gtidPostHeader };
}

function gtidOf(event: Buffer, format: Format, name: string, offset: number): MysqlArchivedTransaction {
  const end = event.length - (format.checksums ? CHECKSUM_LEN : 0);
  const body = HEADER + format.gtidPostHeader;
  if (end < body + COMMIT_TIMESTAMP_LEN) {
    throw new BinlogFormatError(`${name}: the GTID event at ${offset} has no commit timestamp (written by a server older than MySQL 8.0.1)`);
  }
  const immediate = readUInt56(event, body);
  const original = (immediate & ORIGINAL_FOLLOWS) !== 0n && end >= body + 2 * COMMIT_TIMESTAMP_LEN
    ? readUInt56(event, body + COMMIT_TIMESTAMP_LEN) : immediate & (ORIGINAL_FOLLOWS - 1n);
  return {
    source: uuidText(event.subarray(HEADER + 1, HEADER + 17)),
    gno: Number(event.readBigInt64LE(HEADER + 17)),
    commitUs: Number(original),
    server: event.readUInt32LE(5),
  };
}

function previousGtids(event: Buffer, format: Format, name: string, offset: number): string {
  const end = event.length - (format.checksums ? CHECKSUM_LEN : 0);
  const refuse = (why: string) => new BinlogFormatError(`${name}: the previous-GTIDs event at ${offset} ${why}`);
  if (end < HEADER + 8) throw refuse('is cut short');
  if (event[HEADER + 7] !== 0) throw refuse('is in the tagged format, which point-in-time recovery does not index');
  const sources = Number(event.readBigUInt64LE(HEADER));
  const parts: string[] = [];
  let at = HEADER + 8;
  for (let i = 0; i < sources; i++) {
    if (at + 24 > end) throw refuse('is cut short');
    const uuid = uuidText(event.subarray(at, at + 16));
    const count = Number(event.readBigUInt64LE(at + 16));
    at += 24;
    if (at + count * 16 > end) throw refuse('is cut short');
    const intervals: string[] = [];
    for (let j = 0; j < count; j++, at += 16) {
      const start = Number(event.readBigInt64LE(at));
      const stop = Number(event.readBigInt64LE(at + 8)) - 1;
      intervals.push(stop === start ? `${start}` : `${start}-${stop}`);
    }
    if (intervals.length) parts.push(`${uuid}:${intervals.join(':')}`);
  }
  return parts.join(',');
}

/**
 * Indexes a MySQL binlog file as its bytes arrive, holding no more than the event being read: the
 * transactions in file order. A checksum that fails, an encrypted file, or a transaction with a
 * tagged GTID is refused naming the file (`name`) and the offset. A file cut short keeps the
 * transactions whole before the cut and says where it was cut.
 */
export class MysqlBinlogIndexer {
  private pending: Buffer = Buffer.alloc(0);
  /** File offset of pending[0]; 0 until the magic number was read. */
  private offset = 0;
  private format?: Format;
  private server = 0;
  private previous = '';
  private readonly transactions: MysqlArchivedTransaction[] = [];
  private lastType = -1;
  /** Where a malformed event header makes the rest unreadable. */
  private cutAt?: number;

  constructor(private readonly name: string) {}

  push(chunk: Buffer): void {
    if (this.cutAt !== undefined) return;
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    if (this.offset === 0) {
      if (this.pending.length < MAGIC.length) return;
      this.checkMagic(this.pending);
      this.pending = this.pending.subarray(MAGIC.length);
      this.offset = MAGIC.length;
    }
    while (this.pending.length >= HEADER) {
      const size = this.pending.readUInt32LE(9);
      if (size < HEADER) {
        this.cutAt = this.offset;
        return;
      }
      if (this.pending.length < size) return;
      this.event(this.pending.subarray(0, size));
      this.pending = this.pending.subarray(size);
      this.offset += size;
    }
  }

  finish(): MysqlBinlogContents {
    if (this.offset === 0) this.checkMagic(this.pending);
    const { server, previous, transactions } = this;
    if (this.cutAt === undefined && this.pending.length === 0) return { server, previous, transactions };
    // Only a transaction whose commit (an XID event) precedes the cut is known to be whole.
    if (this.lastType !== MYSQL_EVENT.xid && transactions.length) transactions.pop();
    return { server, previous, transactions, truncatedAt: this.cutAt ?? this.offset };
  }

  private checkMagic(head: Buffer): void {
    if (head.subarray(0, 4).equals(ENCRYPTED_MAGIC)) throw new BinlogFormatError(`${this.name} is encrypted (binlog_encryption): it can't be indexed`);
    if (head.length < MAGIC.length || !head.subarray(0, 4).equals(MAGIC)) throw new BinlogFormatError(`${this.name} is not a binlog file (no magic number)`);
  }

  private event(event: Buffer): void {
    const { name, offset: pos } = this;
    if (!this.format) {
      this.format = formatOf(event, name);
      this.server = event.readUInt32LE(5);
    }
    const type = event[4];
    if (this.format.checksums && eventChecksum(event) !== event.readUInt32LE(event.length - CHECKSUM_LEN)) {
      throw new BinlogFormatError(`${name}: the event at ${pos} (type ${type}) fails its CRC32 checksum: the file is damaged`);
    }
    if (type === MYSQL_EVENT.gtidTagged) {
      throw new BinlogFormatError(`${name}: the transaction at ${pos} has a tagged GTID (GTID_TAGGED_LOG_EVENT), which point-in-time recovery does not index`);
    }
    if (type === MYSQL_EVENT.gtid) this.transactions.push(gtidOf(event, this.format, name, pos));
    if (type === MYSQL_EVENT.previousGtids) this.previous = previousGtids(event, this.format, name, pos);
    this.lastType = type;
  }
}

/** The index of a whole file in memory (MysqlBinlogIndexer). */
export function mysqlBinlogTransactions(file: Buffer, name: string): MysqlBinlogContents {
  const indexer = new MysqlBinlogIndexer(name);
  indexer.push(file);
  return indexer.finish();
}
