/**
 * The DNS wire format (RFC 1035), as much as a small authoritative server needs: A, AAAA, SRV
 * (RFC 2782) and the EDNS0 OPT pseudo-record (RFC 6891). Pure: bytes in, objects out, and back.
 */

export const RR_TYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, AAAA: 28, SRV: 33, OPT: 41, ANY: 255 } as const;
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
export const CLASS_IN = 1;
/** The largest message a UDP answer may have when the query carries no OPT record. */
export const CLASSIC_UDP_LIMIT = 512;
const HEADER_SIZE = 12;
const MAX_POINTER_OFFSET = 0x3fff;

export interface Question {
  name: string;
  type: number;
  class: number;
}

export type ResourceRecord =
  | { name: string; type: typeof RR_TYPE.A; class: number; ttl: number; address: string }
  | { name: string; type: typeof RR_TYPE.AAAA; class: number; ttl: number; address: string }
  | { name: string; type: typeof RR_TYPE.SRV; class: number; ttl: number; priority: number; weight: number; port: number; target: string }
  /** EDNS0: `class` carries the sender's UDP payload size, `ttl` the extended rcode and flags. */
  | { name: string; type: typeof RR_TYPE.OPT; class: number; ttl: number; options: Buffer }
  | { name: string; type: number; class: number; ttl: number; data: Buffer };

export interface Flags {
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  rcode: number;
}

export interface DnsMessage {
  id: number;
  flags: Flags;
  questions: Question[];
  answers: ResourceRecord[];
  authorities: ResourceRecord[];
  additionals: ResourceRecord[];
}

export class DnsFormatError extends Error {}

/** Names are compared without case and without the root's trailing dot. */
export function normalizeName(name: string): string {
  return name.replace(/\.$/, '').toLowerCase();
}

function encodeFlags(f: Flags): number {
  return (f.qr ? 0x8000 : 0) | ((f.opcode & 0xf) << 11) | (f.aa ? 0x400 : 0) | (f.tc ? 0x200 : 0)
    | (f.rd ? 0x100 : 0) | (f.ra ? 0x80 : 0) | (f.rcode & 0xf);
}

function decodeFlags(v: number): Flags {
  return {
    qr: (v & 0x8000) !== 0, opcode: (v >> 11) & 0xf, aa: (v & 0x400) !== 0, tc: (v & 0x200) !== 0,
    rd: (v & 0x100) !== 0, ra: (v & 0x80) !== 0, rcode: v & 0xf,
  };
}

/** Appends to a growing buffer and remembers where each name suffix was written, for compression. */
class Writer {
  private buf = Buffer.alloc(512);
  length = 0;
  private readonly suffixes = new Map<string, number>();

  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  u8(v: number): void { this.ensure(1); this.buf.writeUInt8(v, this.length); this.length += 1; }
  u16(v: number): void { this.ensure(2); this.buf.writeUInt16BE(v, this.length); this.length += 2; }
  u32(v: number): void { this.ensure(4); this.buf.writeUInt32BE(v >>> 0, this.length); this.length += 4; }
  bytes(b: Buffer): void { this.ensure(b.length); b.copy(this.buf, this.length); this.length += b.length; }
  patchU16(at: number, v: number): void { this.buf.writeUInt16BE(v, at); }

  /** `compress: false` for places where RFC 2782 forbids pointers (the SRV target); it is still a pointer target. */
  name(name: string, compress = true): void {
    const labels = name.replace(/\.$/, '').split('.').filter((l) => l.length > 0);
    for (let i = 0; i < labels.length; i++) {
      const suffix = labels.slice(i).join('.').toLowerCase();
      const known = this.suffixes.get(suffix);
      if (compress && known !== undefined) {
        this.u16(0xc000 | known);
        return;
      }
      if (this.length <= MAX_POINTER_OFFSET && known === undefined) this.suffixes.set(suffix, this.length);
      const label = Buffer.from(labels[i], 'utf8');
      if (label.length > 63) throw new DnsFormatError(`label "${labels[i]}" of ${name} is longer than 63 bytes`);
      this.u8(label.length);
      this.bytes(label);
    }
    this.u8(0);
  }

  result(): Buffer { return Buffer.from(this.buf.subarray(0, this.length)); }
}

function ipv4Bytes(address: string): Buffer {
  const parts = address.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new DnsFormatError(`not an IPv4 address: ${address}`);
  return Buffer.from(parts);
}

function ipv6Bytes(address: string): Buffer {
  const [head, tail] = address.includes('::') ? address.split('::') : [address, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  if (groups.length !== 8) throw new DnsFormatError(`not an IPv6 address: ${address}`);
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), i * 2));
  return b;
}

function writeRecord(w: Writer, rr: ResourceRecord): void {
  w.name(rr.name);
  w.u16(rr.type);
  w.u16(rr.class);
  w.u32(rr.ttl);
  const lengthAt = w.length;
  w.u16(0);
  const start = w.length;
  if (rr.type === RR_TYPE.A && 'address' in rr) w.bytes(ipv4Bytes(rr.address));
  else if (rr.type === RR_TYPE.AAAA && 'address' in rr) w.bytes(ipv6Bytes(rr.address));
  else if (rr.type === RR_TYPE.SRV && 'target' in rr) {
    w.u16(rr.priority);
    w.u16(rr.weight);
    w.u16(rr.port);
    w.name(rr.target, false);
  } else if ('options' in rr) w.bytes(rr.options);
  else if ('data' in rr) w.bytes(rr.data);
  w.patchU16(lengthAt, w.length - start);
}

function writeMessage(msg: DnsMessage, counts: { answers: number; authorities: number; additionals: number }): Buffer {
  const w = new Writer();
  w.u16(msg.id);
  w.u16(encodeFlags(msg.flags));
  w.u16(msg.questions.length);
  w.u16(counts.answers);
  w.u16(counts.authorities);
  w.u16(counts.additionals);
  for (const q of msg.questions) {
    w.name(q.name);
    w.u16(q.type);
    w.u16(q.class);
  }
  for (const rr of msg.answers.slice(0, counts.answers)) writeRecord(w, rr);
  for (const rr of msg.authorities.slice(0, counts.authorities)) writeRecord(w, rr);
  for (const rr of msg.additionals.slice(0, counts.additionals)) writeRecord(w, rr);
  return w.result();
}

export function encodeMessage(msg: DnsMessage): Buffer {
  return writeMessage(msg, { answers: msg.answers.length, authorities: msg.authorities.length, additionals: msg.additionals.length });
}

/**
 * Encodes a response so that it fits in `limit` bytes. Additional records are optional (RFC 2181
 * section 9), so they go first, keeping the OPT record; if the answer still doesn't fit, the whole
 * answer RRset is left out and TC is set, so the client knows to ask again over TCP.
 */
export function encodeWithinLimit(msg: DnsMessage, limit: number): Buffer {
  const full = encodeMessage(msg);
  if (full.length <= limit) return full;
  const opt = msg.additionals.filter((rr) => rr.type === RR_TYPE.OPT);
  const others = msg.additionals.filter((rr) => rr.type !== RR_TYPE.OPT);
  const withAdditionals = (keep: number): Buffer => encodeMessage({ ...msg, additionals: [...opt, ...others.slice(0, keep)] });
  if (withAdditionals(0).length <= limit) {
    // The size grows with the number kept: find the most that fit by bisection.
    let [fits, tooMany] = [0, others.length];
    while (tooMany - fits > 1) {
      const mid = (fits + tooMany) >> 1;
      if (withAdditionals(mid).length <= limit) fits = mid;
      else tooMany = mid;
    }
    return withAdditionals(fits);
  }
  return encodeMessage({ ...msg, flags: { ...msg.flags, tc: true }, answers: [], authorities: [], additionals: opt });
}

class Reader {
  offset = HEADER_SIZE;
  constructor(private readonly buf: Buffer) {}

  need(n: number): void {
    if (this.offset + n > this.buf.length) throw new DnsFormatError(`message ends at byte ${this.buf.length}, needed ${n} more at ${this.offset}`);
  }
  u8(): number { this.need(1); return this.buf.readUInt8(this.offset++); }
  u16(): number { this.need(2); const v = this.buf.readUInt16BE(this.offset); this.offset += 2; return v; }
  u32(): number { this.need(4); const v = this.buf.readUInt32BE(this.offset); this.offset += 4; return v; }
  bytes(n: number): Buffer { this.need(n); const b = this.buf.subarray(this.offset, this.offset + n); this.offset += n; return Buffer.from(b); }

  name(): string {
    const labels: string[] = [];
    let at = this.offset;
    let jumped = false;
    let jumps = 0;
    for (;;) {
      if (at >= this.buf.length) throw new DnsFormatError(`name runs past the end of the message at byte ${at}`);
      const len = this.buf[at];
      if ((len & 0xc0) === 0xc0) {
        if (at + 1 >= this.buf.length) throw new DnsFormatError(`truncated compression pointer at byte ${at}`);
        if (++jumps > 64) throw new DnsFormatError('compression pointer loop');
        const target = ((len & 0x3f) << 8) | this.buf[at + 1];
        if (!jumped) this.offset = at + 2;
        jumped = true;
        at = target;
      } else if ((len & 0xc0) !== 0) {
        throw new DnsFormatError(`unsupported label type 0x${len.toString(16)} at byte ${at}`);
      } else if (len === 0) {
        if (!jumped) this.offset = at + 1;
        return labels.join('.');
      } else {
        if (at + 1 + len > this.buf.length) throw new DnsFormatError(`label runs past the end of the message at byte ${at}`);
        labels.push(this.buf.toString('utf8', at + 1, at + 1 + len));
        at += 1 + len;
      }
    }
  }
}

function readRecord(r: Reader): ResourceRecord {
  const name = r.name();
  const type = r.u16();
  const klass = r.u16();
  const ttl = r.u32();
  const length = r.u16();
  r.need(length);
  const end = r.offset + length;
  const base = { name, class: klass, ttl };
  let rr: ResourceRecord;
  if (type === RR_TYPE.A && length === 4) {
    rr = { ...base, type, address: [...r.bytes(4)].join('.') };
  } else if (type === RR_TYPE.AAAA && length === 16) {
    const b = r.bytes(16);
    rr = { ...base, type, address: Array.from({ length: 8 }, (_, i) => b.readUInt16BE(i * 2).toString(16)).join(':') };
  } else if (type === RR_TYPE.SRV) {
    rr = { ...base, type, priority: r.u16(), weight: r.u16(), port: r.u16(), target: r.name() };
  } else if (type === RR_TYPE.OPT) {
    rr = { ...base, type, options: r.bytes(length) };
  } else {
    rr = { ...base, type, data: r.bytes(length) };
  }
  if (r.offset !== end) throw new DnsFormatError(`record ${name} type ${type}: rdata length ${length} does not match its content`);
  return rr;
}

export function decodeMessage(buf: Buffer): DnsMessage {
  if (buf.length < HEADER_SIZE) throw new DnsFormatError(`message of ${buf.length} bytes is shorter than a header`);
  const id = buf.readUInt16BE(0);
  const flags = decodeFlags(buf.readUInt16BE(2));
  const [qd, an, ns, ar] = [4, 6, 8, 10].map((o) => buf.readUInt16BE(o));
  const r = new Reader(buf);
  const questions: Question[] = [];
  for (let i = 0; i < qd; i++) questions.push({ name: r.name(), type: r.u16(), class: r.u16() });
  const section = (n: number): ResourceRecord[] => Array.from({ length: n }, () => readRecord(r));
  return { id, flags, questions, answers: section(an), authorities: section(ns), additionals: section(ar) };
}

/** The header's id, if there is a header: a FORMERR answer to a garbled query still needs it. */
export function peekId(buf: Buffer): number | undefined {
  return buf.length >= 2 ? buf.readUInt16BE(0) : undefined;
}
