import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import dgram from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import net from 'node:net';
import { CLASS_IN, RCODE, RR_TYPE, decodeMessage, encodeMessage, type DnsMessage } from '../../../src/sandbox/dns/message.js';
import { startDnsServer, type DnsServer } from '../../../src/sandbox/dns/server.js';

const SRV = '_http._tcp.shop-web.prod.svc.cluster.local';

function targets(n: number): { target: string; port: number }[] {
  return Array.from({ length: n }, (_, i) => ({ target: `pod-${i}.shop-web.prod.svc.cluster.local`, port: 8000 + i }));
}

function addresses(n: number): Record<string, string[]> {
  return Object.fromEntries(targets(n).map((t, i) => [t.target, [`127.0.${Math.floor(i / 200) + 1}.${(i % 200) + 1}`]]));
}

function srvQuery(id: number, udpPayload?: number): Buffer {
  const q: DnsMessage = {
    id, flags: { qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, rcode: 0 },
    questions: [{ name: SRV, type: RR_TYPE.SRV, class: CLASS_IN }], answers: [], authorities: [],
    additionals: udpPayload ? [{ name: '', type: RR_TYPE.OPT, class: udpPayload, ttl: 0, options: Buffer.alloc(0) }] : [],
  };
  return encodeMessage(q);
}

function udpExchange(server: DnsServer, packet: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    const timer = setTimeout(() => { s.close(); reject(new Error('no UDP answer within 5s')); }, 5000);
    s.on('message', (msg) => { clearTimeout(timer); s.close(); resolve(msg); });
    s.send(packet, server.port, server.host);
  });
}

function tcpExchange(server: DnsServer, packets: Buffer[]): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const conn = net.connect(server.port, server.host);
    const replies: Buffer[] = [];
    let pending = Buffer.alloc(0);
    conn.on('error', reject);
    conn.on('connect', () => {
      // Both queries in one write: the server must split them by their length prefixes.
      conn.write(Buffer.concat(packets.flatMap((p) => [Buffer.from([p.length >> 8, p.length & 0xff]), p])));
    });
    conn.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        replies.push(pending.subarray(2, 2 + pending.readUInt16BE(0)));
        pending = pending.subarray(2 + pending.readUInt16BE(0));
      }
      if (replies.length === packets.length) { conn.end(); resolve(replies); }
    });
  });
}

describe('sandbox DNS server', () => {
  let server: DnsServer;
  let resolver: Resolver;

  beforeAll(async () => {
    server = await startDnsServer({ records: { srv: { [SRV]: targets(3) }, a: { ...addresses(3), 'db.prod.svc.cluster.local': ['127.0.0.9'] } } });
    resolver = new Resolver({ timeout: 2000, tries: 2 });
    resolver.setServers([server.address]);
  });

  afterAll(async () => {
    await server.close();
  });

  it('answers SRV and A queries from a real resolver', async () => {
    const srv = await resolver.resolveSrv(SRV);
    expect(srv.map((r) => `${r.name}:${r.port}`).sort()).toEqual(targets(3).map((t) => `${t.target}:${t.port}`).sort());
    expect(await resolver.resolve4('db.prod.svc.cluster.local')).toEqual(['127.0.0.9']);
    expect(await resolver.resolve4('POD-1.shop-web.prod.svc.cluster.local.')).toEqual(['127.0.1.2']);
  });

  it('answers NXDOMAIN for an unknown name and NODATA for a known name of another type', async () => {
    await expect(resolver.resolve4('nope.prod.svc.cluster.local')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(resolver.resolve6('db.prod.svc.cluster.local')).rejects.toMatchObject({ code: 'ENODATA' });
  });

  it('serves updated records at once', async () => {
    server.setSrv(SRV, targets(3).slice(0, 2));
    expect(await resolver.resolveSrv(SRV)).toHaveLength(2);
    server.setA('db.prod.svc.cluster.local', ['127.0.0.10']);
    expect(await resolver.resolve4('db.prod.svc.cluster.local')).toEqual(['127.0.0.10']);
    server.remove('db.prod.svc.cluster.local');
    await expect(resolver.resolve4('db.prod.svc.cluster.local')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    server.setRecords({ srv: { [SRV]: targets(3) }, a: addresses(3) });
    expect(await resolver.resolveSrv(SRV)).toHaveLength(3);
  });

  describe('with an SRV answer larger than 512 bytes (100 pods)', () => {
    beforeAll(() => server.setRecords({ srv: { [SRV]: targets(100) }, a: addresses(100) }));

    it('truncates a plain UDP answer, and a real resolver gets all of it over TCP', async () => {
      const reply = decodeMessage(await udpExchange(server, srvQuery(7)));
      expect(reply.flags.tc).toBe(true);
      expect(reply.answers).toEqual([]);
      const tcpBefore = server.stats.tcp;
      expect(await resolver.resolveSrv(SRV)).toHaveLength(100);
      expect(server.stats.tcp).toBeGreaterThan(tcpBefore);
    });

    it('sends everything that fits over UDP to an EDNS0 client that accepts 8192 bytes', async () => {
      const wire = await udpExchange(server, srvQuery(8, 8192));
      const reply = decodeMessage(wire);
      expect(wire.length).toBeGreaterThan(512);
      expect(wire.length).toBeLessThanOrEqual(8192);
      expect(reply.flags.tc).toBe(false);
      expect(reply.answers).toHaveLength(100);
      const a = reply.additionals.filter((rr) => rr.type === RR_TYPE.A);
      expect(a.length).toBeGreaterThan(0);
      expect(a.length).toBeLessThanOrEqual(100);
    });

    it('answers several queries on one TCP connection', async () => {
      const [first, second] = (await tcpExchange(server, [srvQuery(1), srvQuery(2)])).map(decodeMessage);
      expect([first.id, second.id]).toEqual([1, 2]);
      expect(first.answers).toHaveLength(100);
      expect(first.additionals).toHaveLength(100);
    });
  });

  it('answers FORMERR to a garbled query and stays up', async () => {
    const reply = decodeMessage(await udpExchange(server, Buffer.from([0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 9])));
    expect(reply.id).toBe(0x1234);
    expect(reply.flags.rcode).toBe(RCODE.FORMERR);
    expect(server.stats.malformed).toBeGreaterThan(0);
    expect(await resolver.resolveSrv(SRV)).not.toHaveLength(0);
  });

  it('refuses a port already taken', async () => {
    await expect(startDnsServer({ port: server.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});
