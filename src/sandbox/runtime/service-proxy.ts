/**
 * kube-proxy for one Service port: a TCP listener on the Service's loopback address that forwards
 * each connection to the next serving endpoint (round robin). A refused connection tries the next
 * endpoint, as a client retrying would get. Open connections stay with their pod when endpoints
 * change, like conntrack entries do.
 */
import net from 'node:net';
import { RoundRobin } from './endpoints.js';

export interface Backend {
  ip: string;
  port: number;
}

export class ServiceProxy {
  private backends: Backend[] = [];
  private readonly rr = new RoundRobin();
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  listenPort = 0;

  constructor(readonly address: string, readonly port: number) {
    this.server = net.createServer((client) => this.forward(client));
  }

  /** Listens on the Service port; a privileged port (< 1024) falls back to port + 8000 when not allowed. */
  async listen(): Promise<number> {
    const tryListen = (port: number) => new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => { this.server.off('listening', onListening); reject(err); };
      const onListening = () => { this.server.off('error', onError); resolve(); };
      this.server.once('error', onError);
      this.server.once('listening', onListening);
      this.server.listen({ host: this.address, port });
    });
    try {
      await tryListen(this.port);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EACCES' || this.port >= 1024) throw err;
      await tryListen(this.port + 8000);
    }
    this.listenPort = (this.server.address() as net.AddressInfo).port;
    return this.listenPort;
  }

  setBackends(backends: Backend[]): void {
    this.backends = backends;
  }

  private forward(client: net.Socket): void {
    this.sockets.add(client);
    client.once('close', () => this.sockets.delete(client));
    client.on('error', () => client.destroy());
    client.pause();
    const tried = new Set<string>();
    const attempt = () => {
      const candidates = this.backends.filter((b) => !tried.has(`${b.ip}:${b.port}`));
      const b = candidates.length ? this.rr.next(this.backends.filter((x) => candidates.includes(x))) : undefined;
      if (!b) { client.destroy(); return; }
      tried.add(`${b.ip}:${b.port}`);
      const upstream = net.connect({ host: b.ip, port: b.port });
      this.sockets.add(upstream);
      upstream.once('close', () => this.sockets.delete(upstream));
      let connected = false;
      upstream.once('connect', () => {
        connected = true;
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
      upstream.on('error', (err: NodeJS.ErrnoException) => {
        if (!connected && err.code === 'ECONNREFUSED' && !client.destroyed) { attempt(); return; }
        client.destroy();
      });
      upstream.once('close', () => { if (connected) client.destroy(); });
      client.once('close', () => upstream.destroy());
    };
    attempt();
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
