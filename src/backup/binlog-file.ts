/**
 * What the binlog archive needs to know of a MariaDB binlog file: each transaction's GTID and
 * timestamp, read from the GTID events (the event header and the GTID event layout of MariaDB's
 * binlog format; a truncated tail is ignored), as the file streams past. Pure.
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

/**
 * Reads a binlog file's transactions as its bytes arrive, holding no more than the start of one
 * event: `push` each chunk in order, then `finish`. A GTID event counts once it is whole; an event
 * cut short at the end (a truncated tail) or a header with an impossible size ends the reading.
 */
export class BinlogScanner {
  private readonly found: ArchivedTransaction[] = [];
  private magicSeen = false;
  /** The bytes read so far of the magic number, or of the current event's start. */
  private head = Buffer.alloc(0);
  /** Bytes of the current event still to pass. */
  private skip = 0;
  /** The current event's transaction, counted when the event is whole. */
  private pending?: ArchivedTransaction;
  private ended = false;

  push(chunk: Buffer): void {
    for (let pos = 0; pos < chunk.length && !this.ended;) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - pos);
        this.skip -= n;
        pos += n;
        if (this.skip === 0) this.eventEnded();
        continue;
      }
      const want = this.wanted();
      const n = Math.min(want - this.head.length, chunk.length - pos);
      this.head = Buffer.concat([this.head, chunk.subarray(pos, pos + n)]);
      pos += n;
      if (this.head.length === want) this.headRead();
    }
  }

  finish(): ArchivedTransaction[] {
    if (!this.magicSeen) throw new Error('not a binlog file (no magic number)');
    return this.found;
  }

  /** How many bytes of the magic number or of the event's start to read before looking at them. */
  private wanted(): number {
    if (!this.magicSeen) return MAGIC.length;
    return this.head.length >= HEADER && this.isGtidEvent() ? HEADER + 12 : HEADER;
  }

  private isGtidEvent(): boolean {
    return this.head[4] === GTID_EVENT && this.head.readUInt32LE(9) >= HEADER + 12;
  }

  private headRead(): void {
    const head = this.head;
    if (!this.magicSeen) {
      if (!head.equals(MAGIC)) throw new Error('not a binlog file (no magic number)');
      this.magicSeen = true;
      this.head = Buffer.alloc(0);
      return;
    }
    const size = head.readUInt32LE(9);
    if (size < HEADER) {
      this.ended = true;
      return;
    }
    if (this.isGtidEvent()) {
      if (head.length < HEADER + 12) return;
      this.pending = { time: head.readUInt32LE(0), server: head.readUInt32LE(5), seq: Number(head.readBigUInt64LE(HEADER)), domain: head.readUInt32LE(HEADER + 8) };
    }
    this.skip = size - head.length;
    this.head = Buffer.alloc(0);
    if (this.skip === 0) this.eventEnded();
  }

  private eventEnded(): void {
    if (this.pending) this.found.push(this.pending);
    this.pending = undefined;
  }
}
