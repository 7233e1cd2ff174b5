import { describe, expect, it } from '@jest/globals';
import {
  CLASS_IN, RCODE, RR_TYPE, decodeMessage, encodeMessage, encodeWithinLimit, type DnsMessage,
} from '../../../src/sandbox/dns/message.js';
import { RecordTable, SERVER_UDP_PAYLOAD, answerQuery, udpLimit } from '../../../src/sandbox/dns/records.js';

function query(name: string, type: number, udpPayload?: number): DnsMessage {
  return {
    id: 4242,
    flags: { qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, rcode: 0 },
    questions: [{ name, type, class: CLASS_IN }],
    answers: [],
    authorities: [],
    additionals: udpPayload ? [{ name: '', type: RR_TYPE.OPT, class: udpPayload, ttl: 0, options: Buffer.alloc(0) }] : [],
  };
}

const SRV = '_http._tcp.shop-web.prod.svc.cluster.local';

function pods(n: number): { srv: Record<string, { target: string; port: number }[]>; a: Record<string, string[]> } {
  const targets = Array.from({ length: n }, (_, i) => ({ target: `10-0-${Math.floor(i / 250)}-${i % 250}.shop-web.prod.svc.cluster.local`, port: 8080 }));
  return {
    srv: { [SRV]: targets },
    a: Object.fromEntries(targets.map((t, i) => [t.target, [`10.0.${Math.floor(i / 250)}.${i % 250}`]])),
  };
}

describe('answering from the record table', () => {
  const table = new RecordTable({ ...pods(3), a: { ...pods(3).a, 'db.prod.svc.cluster.local': ['10.9.9.9'] } });

  it('answers SRV with every target and their addresses as additional records', () => {
    const r = answerQuery(table, query(SRV.toUpperCase() + '.', RR_TYPE.SRV));
    expect(r.flags).toMatchObject({ qr: true, aa: true, tc: false, rcode: RCODE.NOERROR });
    expect(r.answers.map((rr) => 'target' in rr && `${rr.target}:${rr.port}`)).toEqual(pods(3).srv[SRV].map((t) => `${t.target}:8080`));
    expect(r.additionals.map((rr) => 'address' in rr && rr.address)).toEqual(['10.0.0.0', '10.0.0.1', '10.0.0.2']);
  });

  it('answers A, and NOERROR without records for a known name of another type', () => {
    expect(answerQuery(table, query('db.prod.svc.cluster.local', RR_TYPE.A)).answers).toMatchObject([{ address: '10.9.9.9', ttl: 5 }]);
    const aaaa = answerQuery(table, query('db.prod.svc.cluster.local', RR_TYPE.AAAA));
    expect(aaaa.flags.rcode).toBe(RCODE.NOERROR);
    expect(aaaa.answers).toEqual([]);
  });

  it('answers NXDOMAIN for an unknown name, NOTIMP for another opcode, FORMERR for two questions', () => {
    expect(answerQuery(table, query('nope.prod.svc.cluster.local', RR_TYPE.A)).flags.rcode).toBe(RCODE.NXDOMAIN);
    const notify = query(SRV, RR_TYPE.SRV);
    notify.flags.opcode = 4;
    expect(answerQuery(table, notify).flags.rcode).toBe(RCODE.NOTIMP);
    const two = query(SRV, RR_TYPE.SRV);
    two.questions.push(two.questions[0]);
    expect(answerQuery(table, two).flags.rcode).toBe(RCODE.FORMERR);
  });

  it('follows updates: a removed target and a removed name', () => {
    const t = new RecordTable(pods(3));
    t.setSrv(SRV, pods(3).srv[SRV].slice(1));
    expect(answerQuery(t, query(SRV, RR_TYPE.SRV)).answers).toHaveLength(2);
    t.setSrv(SRV, []);
    expect(answerQuery(t, query(SRV, RR_TYPE.SRV)).flags.rcode).toBe(RCODE.NXDOMAIN);
  });

  it('echoes EDNS0 with its own payload size and honours the client\'s', () => {
    const q = query(SRV, RR_TYPE.SRV, 4096);
    expect(answerQuery(table, q).additionals[0]).toMatchObject({ type: RR_TYPE.OPT, class: SERVER_UDP_PAYLOAD });
    expect(udpLimit(q)).toBe(4096);
    expect(udpLimit(query(SRV, RR_TYPE.SRV, 100))).toBe(512);
    expect(udpLimit(query(SRV, RR_TYPE.SRV, 65000))).toBe(SERVER_UDP_PAYLOAD);
    expect(udpLimit(query(SRV, RR_TYPE.SRV))).toBe(512);
  });
});

describe('fitting an answer into a size limit', () => {
  const big = new RecordTable(pods(60));

  it('keeps everything when it fits in the EDNS0 payload size', () => {
    const q = query(SRV, RR_TYPE.SRV, 8192);
    const wire = encodeWithinLimit(answerQuery(big, q), udpLimit(q));
    const r = decodeMessage(wire);
    expect(wire.length).toBeLessThanOrEqual(8192);
    expect(r.flags.tc).toBe(false);
    expect(r.answers).toHaveLength(60);
    expect(r.additionals.filter((rr) => rr.type === RR_TYPE.A)).toHaveLength(60);
  });

  it('drops additional records first, without TC, keeping the OPT record', () => {
    const q = query(SRV, RR_TYPE.SRV, 8192);
    const full = encodeMessage(answerQuery(big, q));
    const answersOnly = encodeMessage({ ...answerQuery(big, q), additionals: answerQuery(big, q).additionals.slice(0, 1) });
    const limit = Math.floor((full.length + answersOnly.length) / 2);
    const r = decodeMessage(encodeWithinLimit(answerQuery(big, q), limit));
    expect(r.flags.tc).toBe(false);
    expect(r.answers).toHaveLength(60);
    expect(r.additionals[0].type).toBe(RR_TYPE.OPT);
    const kept = r.additionals.length - 1;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(60);
  });

  it('sets TC and leaves out the whole answer RRset when even the answers do not fit', () => {
    const q = query(SRV, RR_TYPE.SRV);
    const wire = encodeWithinLimit(answerQuery(big, q), udpLimit(q));
    const r = decodeMessage(wire);
    expect(wire.length).toBeLessThanOrEqual(512);
    expect(r.flags.tc).toBe(true);
    expect(r.answers).toEqual([]);
    expect(r.questions).toEqual(q.questions);
  });
});
