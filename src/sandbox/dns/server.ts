/**
 * A small authoritative DNS server on loopback, over UDP and TCP on the same port, answering from
 * a record table that can change while it runs. The sandbox feeds it from Services and Endpoints,
 * so haproxy resolves app tiers the way it does through cluster DNS.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import {
  DnsFormatError, RCODE, decodeMessage, encodeMessage, encodeWithinLimit, peekId, type DnsMessage,
} from './message.js';
import { RecordTable, answerQuery, udpLimit, type DnsRecords, type SrvTarget } from './records.js';

export interface DnsServerOptions {
  /** Loopback address to listen on; 127.0.0.1 by default. */
  host?: string;
  /** 0 (the default) picks a free port, the same for UDP and TCP. */
  port?: number;
  /** TTL of every answer, in seconds. */
  ttl?: number;
  records?: DnsRecords;
}

export interface DnsServer {
  readonly host: string;
  readonly port: number;
  /** `host:port`, the form haproxy's `nameserver` line takes. */
  readonly address: string;
  /** Replaces every record. */
  setRecords(records: DnsRecords): void;
  /** Sets one name's A records; an empty list removes them. */
  setA(name: string, addresses: string[]): void;
  /** Sets one name's SRV records; an empty list removes them. */
  setSrv(name: string, targets: SrvTarget[]): void;
  remove(name: string): void;
  records(): DnsRecords;
  /** Queries answered so far, by transport. */
  readonly stats: { udp: number; tcp: number; malformed: number };
  close(): Promise<void>;
}

const TCP_LIMIT = 0xffff;
const TCP_IDLE_MS = 10_000;

function formatError(id: number): Buffer {
  return encodeMessage({
    id, flags: { qr: true, opcode: 0, aa: false, tc: false, rd: false, ra: false, rcode: RCODE.FORMERR },
    questions: [], answers: [], authorities: [], additionals: [],
  });
}

/** The response bytes for one query, or undefined when not even an id could be read. */
function respond(table: RecordTable, packet: Buffer, limit: (q: DnsMessage) => number, stats: DnsServer['stats']): Buffer | undefined {
  let query: DnsMessage;
  try {
    query = decodeMessage(packet);
  } catch (err) {
    if (!(err instanceof DnsFormatError)) throw err;
    stats.malformed++;
    const id = peekId(packet);
    return id === undefined ? undefined : formatError(id);
  }
  if (query.flags.qr) return undefined;
  return encodeWithinLimit(answerQuery(table, query), limit(query));
}

function listenUdp(host: string, port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    socket.once('error', reject);
    socket.bind(port, host, () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
}

function listenTcp(server: net.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Serves length-prefixed messages on one TCP connection (RFC 1035 4.2.2), several per connection. */
function serveTcpConnection(conn: net.Socket, answer: (packet: Buffer) => Buffer | undefined): void {
  let pending = Buffer.alloc(0);
  conn.setNoDelay(true);
  conn.setTimeout(TCP_IDLE_MS, () => conn.destroy());
  conn.on('error', () => conn.destroy());
  conn.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 2) {
      const length = pending.readUInt16BE(0);
      if (pending.length < 2 + length) break;
      const packet = pending.subarray(2, 2 + length);
      pending = pending.subarray(2 + length);
      const reply = answer(Buffer.from(packet));
      if (!reply) {
        conn.destroy();
        return;
      }
      const prefix = Buffer.alloc(2);
      prefix.writeUInt16BE(reply.length);
      conn.write(Buffer.concat([prefix, reply]));
    }
  });
}

export async function startDnsServer(options: DnsServerOptions = {}): Promise<DnsServer> {
  const host = options.host ?? '127.0.0.1';
  const table = new RecordTable(options.records, options.ttl ?? 5);
  const stats = { udp: 0, tcp: 0, malformed: 0 };
  const connections = new Set<net.Socket>();
  const tcp = net.createServer((conn) => {
    connections.add(conn);
    conn.on('close', () => connections.delete(conn));
    serveTcpConnection(conn, (packet) => {
      stats.tcp++;
      return respond(table, packet, () => TCP_LIMIT, stats);
    });
  });

  // With port 0 the UDP port is picked first; the same number may be taken for TCP, so try again.
  let udp: dgram.Socket | undefined;
  for (let attempt = 0; !udp; attempt++) {
    const candidate = await listenUdp(host, options.port ?? 0);
    try {
      await listenTcp(tcp, host, candidate.address().port);
      udp = candidate;
    } catch (err) {
      candidate.close();
      if (options.port || attempt >= 10) throw err;
    }
  }
  const socket = udp;
  socket.on('message', (packet, peer) => {
    stats.udp++;
    const reply = respond(table, packet, udpLimit, stats);
    if (reply) socket.send(reply, peer.port, peer.address);
  });
  const port = socket.address().port;

  return {
    host,
    port,
    address: `${host}:${port}`,
    setRecords: (records) => table.replace(records),
    setA: (name, addresses) => table.setA(name, addresses),
    setSrv: (name, targets) => table.setSrv(name, targets),
    remove: (name) => table.remove(name),
    records: () => table.snapshot(),
    stats,
    close: async () => {
      for (const c of connections) c.destroy();
      await Promise.all([
        new Promise<void>((resolve) => socket.close(() => resolve())),
        new Promise<void>((resolve) => tcp.close(() => resolve())),
      ]);
    },
  };
}
