import { describe, expect, it } from '@jest/globals';
import {
  CLASS_IN, DnsFormatError, RR_TYPE, decodeMessage, encodeMessage, type DnsMessage, type ResourceRecord,
} from '../../../src/sandbox/dns/message.js';

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

describe('DNS wire format', () => {
  it('round-trips a query with an OPT record', () => {
    const q = query('Shop.Example.', RR_TYPE.SRV, 8192);
    const decoded = decodeMessage(encodeMessage(q));
    expect(decoded.id).toBe(4242);
    expect(decoded.flags).toEqual(q.flags);
    expect(decoded.questions).toEqual([{ name: 'Shop.Example', type: RR_TYPE.SRV, class: CLASS_IN }]);
    expect(decoded.additionals).toEqual([{ name: '', type: RR_TYPE.OPT, class: 8192, ttl: 0, options: Buffer.alloc(0) }]);
  });

  it('round-trips A, AAAA and SRV records and compresses repeated names', () => {
    const records: ResourceRecord[] = [
      { name: SRV, type: RR_TYPE.SRV, class: CLASS_IN, ttl: 5, priority: 0, weight: 50, port: 8080, target: 'a.shop-web.prod.svc.cluster.local' },
      { name: SRV, type: RR_TYPE.SRV, class: CLASS_IN, ttl: 5, priority: 1, weight: 7, port: 9090, target: 'b.shop-web.prod.svc.cluster.local' },
      { name: 'a.shop-web.prod.svc.cluster.local', type: RR_TYPE.A, class: CLASS_IN, ttl: 5, address: '10.1.2.3' },
      { name: 'a.shop-web.prod.svc.cluster.local', type: RR_TYPE.AAAA, class: CLASS_IN, ttl: 5, address: 'fd00:0:0:0:0:0:0:1' },
    ];
    const msg: DnsMessage = { ...query(SRV, RR_TYPE.SRV), answers: records.slice(0, 2), additionals: records.slice(2) };
    const wire = encodeMessage(msg);
    const decoded = decodeMessage(wire);
    expect(decoded.answers).toEqual(records.slice(0, 2));
    expect(decoded.additionals).toEqual([records[2], { ...records[3], address: 'fd00:0:0:0:0:0:0:1' }]);
    // Without compression the owner name alone (45 bytes) would be written 3 times more.
    const uncompressedNames = 5 * (SRV.length + 2);
    expect(wire.length).toBeLessThan(uncompressedNames);
  });

  it('writes the SRV target uncompressed (RFC 2782) even when its suffix was seen before', () => {
    const target = 'shop-web.prod.svc.cluster.local';
    const msg: DnsMessage = {
      ...query(SRV, RR_TYPE.SRV),
      answers: [{ name: SRV, type: RR_TYPE.SRV, class: CLASS_IN, ttl: 5, priority: 0, weight: 1, port: 1, target }],
    };
    const wire = encodeMessage(msg);
    const spelled = Buffer.concat(target.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])));
    // Once in the question (as part of SRV), and once more in full as the target.
    expect(wire.indexOf(spelled)).not.toBe(wire.lastIndexOf(spelled));
  });

  it('expands the IPv6 shorthand', () => {
    const rr: ResourceRecord = { name: 'x', type: RR_TYPE.AAAA, class: CLASS_IN, ttl: 1, address: 'fd00::1' };
    const decoded = decodeMessage(encodeMessage({ ...query('x', RR_TYPE.AAAA), answers: [rr] }));
    expect(decoded.answers[0]).toEqual({ ...rr, address: 'fd00:0:0:0:0:0:0:1' });
  });

  it.each([
    ['shorter than a header', Buffer.from([1, 2, 3])],
    ['a question past the end', Buffer.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 97])],
    ['a pointer loop', Buffer.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1])],
    ['a reserved label type', Buffer.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x80, 0, 0, 1, 0, 1])],
  ])('refuses a message with %s', (_what, wire) => {
    expect(() => decodeMessage(wire)).toThrow(DnsFormatError);
  });

  it('refuses to encode a label longer than 63 bytes and a bad address', () => {
    expect(() => encodeMessage(query(`${'a'.repeat(64)}.example`, RR_TYPE.A))).toThrow(/longer than 63/);
    const bad: ResourceRecord = { name: 'x', type: RR_TYPE.A, class: CLASS_IN, ttl: 1, address: '10.0.0.256' };
    expect(() => encodeMessage({ ...query('x', RR_TYPE.A), answers: [bad] })).toThrow(/not an IPv4 address/);
  });
});
