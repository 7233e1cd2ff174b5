/** The records a sandbox DNS server knows, and how it answers a query from them. Pure. */
import {
  CLASSIC_UDP_LIMIT, CLASS_IN, RCODE, RR_TYPE, normalizeName, type DnsMessage, type Question, type ResourceRecord,
} from './message.js';

export interface SrvTarget {
  target: string;
  port: number;
  priority?: number;
  weight?: number;
}

/** Names are absolute, with or without the trailing dot; case does not matter. */
export interface DnsRecords {
  a?: Record<string, string[]>;
  srv?: Record<string, SrvTarget[]>;
}

/** The UDP payload size this server announces in its own OPT record. */
export const SERVER_UDP_PAYLOAD = 8192;

export class RecordTable {
  private readonly a = new Map<string, string[]>();
  private readonly srv = new Map<string, SrvTarget[]>();

  constructor(records: DnsRecords = {}, readonly ttl = 5) {
    this.replace(records);
  }

  /** Replaces every record. */
  replace(records: DnsRecords): void {
    this.a.clear();
    this.srv.clear();
    for (const [name, addresses] of Object.entries(records.a ?? {})) this.setA(name, addresses);
    for (const [name, targets] of Object.entries(records.srv ?? {})) this.setSrv(name, targets);
  }

  /** Sets the A records of one name; an empty list removes the name. */
  setA(name: string, addresses: string[]): void {
    if (addresses.length === 0) this.a.delete(normalizeName(name));
    else this.a.set(normalizeName(name), [...addresses]);
  }

  /** Sets the SRV records of one name; an empty list removes the name. */
  setSrv(name: string, targets: SrvTarget[]): void {
    if (targets.length === 0) this.srv.delete(normalizeName(name));
    else this.srv.set(normalizeName(name), targets.map((t) => ({ ...t })));
  }

  /** Removes every record of a name. */
  remove(name: string): void {
    this.a.delete(normalizeName(name));
    this.srv.delete(normalizeName(name));
  }

  exists(name: string): boolean {
    const n = normalizeName(name);
    return this.a.has(n) || this.srv.has(n);
  }

  aRecords(name: string, owner = name): ResourceRecord[] {
    return (this.a.get(normalizeName(name)) ?? []).map((address) => ({ name: owner, type: RR_TYPE.A, class: CLASS_IN, ttl: this.ttl, address }));
  }

  srvRecords(name: string, owner = name): ResourceRecord[] {
    return (this.srv.get(normalizeName(name)) ?? []).map((t) => ({
      name: owner, type: RR_TYPE.SRV, class: CLASS_IN, ttl: this.ttl,
      priority: t.priority ?? 0, weight: t.weight ?? 100, port: t.port, target: t.target,
    }));
  }

  snapshot(): DnsRecords {
    return { a: Object.fromEntries(this.a), srv: Object.fromEntries(this.srv) };
  }
}

function answersFor(table: RecordTable, q: Question): { answers: ResourceRecord[]; additionals: ResourceRecord[] } {
  const wantsA = q.type === RR_TYPE.A || q.type === RR_TYPE.ANY;
  const wantsSrv = q.type === RR_TYPE.SRV || q.type === RR_TYPE.ANY;
  const answers = [...(wantsA ? table.aRecords(q.name) : []), ...(wantsSrv ? table.srvRecords(q.name) : [])];
  // The targets' addresses ride along, so a client needs no second round trip per pod.
  const targets = [...new Set(answers.flatMap((rr) => 'target' in rr ? [normalizeName(rr.target)] : []))];
  const additionals = targets.flatMap((t) => table.aRecords(t, t));
  return { answers, additionals };
}

/**
 * The response to `query`: authoritative answers, NXDOMAIN for a name the table doesn't hold,
 * an empty NOERROR for a known name without records of the asked type, NOTIMP for anything but a
 * standard query. Echoes an OPT record when the query had one (EDNS0).
 */
export function answerQuery(table: RecordTable, query: DnsMessage): DnsMessage {
  const opt = query.additionals.find((rr) => rr.type === RR_TYPE.OPT);
  const response: DnsMessage = {
    id: query.id,
    flags: { qr: true, opcode: query.flags.opcode, aa: true, tc: false, rd: query.flags.rd, ra: false, rcode: RCODE.NOERROR },
    questions: query.questions.slice(0, 1),
    answers: [],
    authorities: [],
    additionals: [],
  };
  const q = query.questions[0];
  if (query.flags.opcode !== 0) response.flags.rcode = RCODE.NOTIMP;
  else if (query.questions.length !== 1 || query.flags.qr) response.flags.rcode = RCODE.FORMERR;
  else if (q.class !== CLASS_IN && q.class !== 255) response.flags.rcode = RCODE.REFUSED;
  else if (!table.exists(q.name)) response.flags.rcode = RCODE.NXDOMAIN;
  else Object.assign(response, answersFor(table, q));
  if (opt) response.additionals.unshift({ name: '', type: RR_TYPE.OPT, class: SERVER_UDP_PAYLOAD, ttl: 0, options: Buffer.alloc(0) });
  return response;
}

/** The largest UDP answer the client said it accepts: its OPT payload size, else 512 bytes (RFC 6891 6.2.5). */
export function udpLimit(query: DnsMessage): number {
  const opt = query.additionals.find((rr) => rr.type === RR_TYPE.OPT);
  return opt ? Math.max(CLASSIC_UDP_LIMIT, Math.min(opt.class, SERVER_UDP_PAYLOAD)) : CLASSIC_UDP_LIMIT;
}
