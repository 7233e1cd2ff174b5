/** /healthz, /readyz and /metrics, on the ports the Helm chart probes and scrapes. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface Probes {
  /** Live: the process works (its loops run). */
  healthy(): string | undefined;
  /** Ready: caches synced. A follower that waits for the lease is ready too. */
  ready(): string | undefined;
}

export interface Listening {
  port: number;
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string | undefined): Promise<Listening> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve({
      port: (server.address() as AddressInfo).port,
      close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
    }));
  });
}

export function serveHealth(port: number, host: string | undefined, probes: Probes): Promise<Listening> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    const problem = path === '/healthz' || path === '/livez' ? probes.healthy() : path === '/readyz' ? probes.ready() : 'not found';
    res.statusCode = problem === 'not found' ? 404 : problem ? 503 : 200;
    res.setHeader('content-type', 'text/plain');
    res.end(problem ?? 'ok');
  });
  return listen(server, port, host);
}

export function serveMetrics(port: number, host: string | undefined, registry: Registry): Promise<Listening> {
  const server = createServer((req, res) => {
    if ((req.url ?? '').split('?')[0] !== '/metrics') {
      res.statusCode = 404;
      res.end('not found');
      return;
    }
    registry.metrics().then((text) => {
      res.setHeader('content-type', registry.contentType);
      res.end(text);
    }, (err: unknown) => {
      res.statusCode = 500;
      res.end(String(err));
    });
  });
  return listen(server, port, host);
}
