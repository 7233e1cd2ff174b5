/**
 * A stand-in for the primary Service: a loopback TCP proxy that sends each new connection to the
 * instance the record names as primary. When the primary moves, connections to the old one are
 * cut, as the fence does on a demoted server, so clients reconnect and land on the new primary.
 */
import net from 'node:net';
import type { InstanceAddress } from '../../src/mysql/ports.js';

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
  target: string;
}

export class PrimaryProxy {
  private readonly server = net.createServer((client) => this.accept(client));
  private readonly pairs = new Set<Pair>();
  private current = '';
  private timer?: NodeJS.Timeout;

  constructor(private readonly target: () => InstanceAddress | undefined) {}

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.timer = setInterval(() => this.follow(), 20);
    return (this.server.address() as net.AddressInfo).port;
  }

  private key(t: InstanceAddress | undefined): string {
    return t ? `${t.host}:${t.port}` : '';
  }

  private follow(): void {
    const now = this.key(this.target());
    if (now === this.current) return;
    this.current = now;
    for (const p of this.pairs) {
      if (p.target !== now) {
        p.client.destroy();
        p.upstream.destroy();
        this.pairs.delete(p);
      }
    }
  }

  private accept(client: net.Socket): void {
    const t = this.target();
    if (!t) {
      client.destroy();
      return;
    }
    const upstream = net.connect(t.port, t.host);
    const pair: Pair = { client, upstream, target: this.key(t) };
    this.pairs.add(pair);
    const close = () => {
      client.destroy();
      upstream.destroy();
      this.pairs.delete(pair);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    client.pipe(upstream);
    upstream.pipe(client);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    for (const p of this.pairs) {
      p.client.destroy();
      p.upstream.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
