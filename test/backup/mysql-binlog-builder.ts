/**
 * Builds MySQL 8.4 binlog files byte for byte from the documented v4 layout (no MySQL server runs
 * here): a format description event with the 8.4 post-header lengths, a previous-GTIDs event, and
 * per transaction GTID, BEGIN, table map, write rows and XID events, each with its CRC32.
 */
import { crc32 } from 'node:zlib';

export interface BuiltTransaction {
  source: string;
  gno: number;
  /** original_commit_timestamp, microseconds. */
  commitUs: number;
  /** immediate_commit_timestamp when this server replicated it (it differs: the original follows). */
  immediateUs?: number;
  /** The server_id of its events (default: the file's). */
  serverId?: number;
}

export interface BinlogOptions {
  serverId?: number;
  checksums?: boolean;
  /** The server still writes the file: its format description carries the in-use flag. */
  inUse?: boolean;
  /** The GTID set executed before the file ('uuid:1-5:7,uuid2:3'). */
  previous?: string;
  /** Bytes of row image in each transaction's write-rows event (default 4). */
  rowBytes?: number;
}

const HEADER = 19;
/** MySQL 8.4's post-header lengths, one per event type 1..42 (GTID events: 42 bytes). */
const POST_HEADER_LENGTHS = [
  0, 13, 0, 8, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 98, 0, 0, 0, 8, 0, 0, 0, 8, 0, 0, 0, 0, 10, 0, 10, 10, 10, 42, 42, 0, 18, 52, 0, 0, 0, 42, 0,
];

function event(type: number, timestamp: number, serverId: number, body: Buffer, at: number, checksums: boolean, flags = 0): Buffer {
  const size = HEADER + body.length + (checksums ? 4 : 0);
  const header = Buffer.alloc(HEADER);
  header.writeUInt32LE(timestamp, 0);
  header[4] = type;
  header.writeUInt32LE(serverId, 5);
  header.writeUInt32LE(size, 9);
  header.writeUInt32LE(at + size, 13);
  header.writeUInt16LE(flags & ~0x1, 17);
  const bytes = Buffer.concat([header, body]);
  const out = checksums ? Buffer.concat([bytes, Buffer.alloc(4)]) : bytes;
  if (checksums) out.writeUInt32LE(crc32(bytes), size - 4);
  // The in-use flag is set after the checksum, as the server does: the checksum covers the event without it.
  out.writeUInt16LE(flags, 17);
  return out;
}

function uuidBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

function uint56(value: number | bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(value));
  return b.subarray(0, 7);
}

function gtidBody(t: BuiltTransaction, seq: number): Buffer {
  const post = Buffer.alloc(42);
  post[0] = 1;
  uuidBytes(t.source).copy(post, 1);
  post.writeBigInt64LE(BigInt(t.gno), 17);
  post[25] = 2;
  post.writeBigInt64LE(BigInt(seq - 1), 26);
  post.writeBigInt64LE(BigInt(seq), 34);
  const replicated = t.immediateUs !== undefined && t.immediateUs !== t.commitUs;
  const timestamps = replicated
    ? Buffer.concat([uint56(BigInt(t.immediateUs!) | (1n << 55n)), uint56(t.commitUs)])
    : uint56(t.commitUs);
  // transaction_length (a packed integer), immediate_server_version 80403.
  const version = Buffer.alloc(4);
  version.writeUInt32LE(80403);
  return Buffer.concat([post, timestamps, Buffer.from([0xfc, 0x2c, 0x01]), version]);
}

function previousGtidsBody(set: string): Buffer {
  const sources = set.split(',').filter(Boolean).map((part) => {
    const [uuid, ...intervals] = part.split(':');
    const head = Buffer.alloc(24);
    uuidBytes(uuid).copy(head, 0);
    head.writeBigUInt64LE(BigInt(intervals.length), 16);
    const pairs = intervals.map((i) => {
      const [start, end = start] = i.split('-').map(Number);
      const b = Buffer.alloc(16);
      b.writeBigInt64LE(BigInt(start), 0);
      b.writeBigInt64LE(BigInt(end + 1), 8);
      return b;
    });
    return Buffer.concat([head, ...pairs]);
  });
  const count = Buffer.alloc(8);
  count.writeBigUInt64LE(BigInt(sources.length));
  return Buffer.concat([count, ...sources]);
}

function formatDescription(): Buffer {
  const body = Buffer.alloc(2 + 50 + 4 + 1);
  body.writeUInt16LE(4, 0);
  body.write('8.4.3', 2, 'latin1');
  body[56] = HEADER;
  return Buffer.concat([body, Buffer.from(POST_HEADER_LENGTHS), Buffer.from([1])]);
}

/** A whole binlog file holding `transactions` in order. */
export function mysqlBinlog(transactions: BuiltTransaction[], opts: BinlogOptions = {}): Buffer {
  const serverId = opts.serverId ?? 100;
  const checksums = opts.checksums ?? true;
  const parts: Buffer[] = [Buffer.from([0xfe, 0x62, 0x69, 0x6e])];
  let at = 4;
  const add = (type: number, timestamp: number, body: Buffer, origin = serverId): void => {
    const e = event(type, timestamp, origin, body, at, checksums);
    parts.push(e);
    at += e.length;
  };
  const fde = formatDescription();
  // The format description always carries its checksum algorithm and a checksum, whatever binlog_checksum is.
  const fdeEvent = event(15, 1_700_000_000, serverId, checksums ? fde : Buffer.concat([fde.subarray(0, fde.length - 1), Buffer.from([0])]), at, true,
    opts.inUse ? 0x1 : 0);
  parts.push(fdeEvent);
  at += fdeEvent.length;
  add(35, 1_700_000_000, previousGtidsBody(opts.previous ?? ''));
  transactions.forEach((t, i) => {
    const seconds = Math.floor(t.commitUs / 1e6);
    const origin = t.serverId ?? serverId;
    add(33, seconds, gtidBody(t, i + 1), origin);
    add(2, seconds, Buffer.concat([Buffer.alloc(13), Buffer.from('\0shop\0BEGIN')]), origin);
    add(19, seconds, Buffer.from('0100000000000100047368f70006006f7264657273000103000001', 'hex'), origin);
    add(30, seconds, Buffer.concat([Buffer.alloc(10), Buffer.from([1, 0xff, 0]), Buffer.alloc(opts.rowBytes ?? 4, i)]), origin);
    add(16, seconds, Buffer.from(uint56(1000 + i).toString('hex') + '00', 'hex'), origin);
  });
  return Buffer.concat(parts);
}
