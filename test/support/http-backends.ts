/**
 * App pods for traffic tests: real Node HTTP servers on loopback addresses, each answering its own
 * pod name on every path and 200 on its health path, plus a small HTTP client that counts answers.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AppPod {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** Requests answered (health checks not counted). */
  served(): number;
  /** Stops the pod like a crash: no more connections, and open ones (in-flight requests too) are cut. */
  kill(): Promise<void>;
}

export interface AppPodOptions {
  healthPath?: string;
  /** Delay before answering a request, so some are in flight when the pod is killed. */
  delayMs?: number;
}

export async function startAppPod(name: string, host: string, options: AppPodOptions = {}): Promise<AppPod> {
  const healthPath = options.healthPath ?? '/healthz';
  let served = 0;
  const server = http.createServer((req, res) => {
    if (req.url === healthPath) {
      res.end('ok');
      return;
    }
    served++;
    const answer = (): void => {
      res.setHeader('content-type', 'text/plain');
      res.end(name);
    };
    if (options.delayMs) setTimeout(answer, options.delayMs);
    else answer();
  });
  server.keepAliveTimeout = 30000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let killed = false;
  return {
    name, host, port,
    served: () => served,
    kill: async () => {
      if (killed) return;
      killed = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

export interface Reply {
  status: number;
  body: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** One GET; a network error is returned as status 0 with the error's message. */
export function get(url: string, timeoutMs = 10000): Promise<Reply> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', (err) => resolve({ status: 0, body: err.message }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs}ms`)));
    req.on('error', (err) => resolve({ status: 0, body: err.message }));
  });
}

export interface Tally {
  /** Successful answers by pod name. */
  byPod: Record<string, number>;
  /** Anything but a 200, with what was seen. */
  failures: Reply[];
  total: number;
}

export function emptyTally(): Tally {
  return { byPod: {}, failures: [], total: 0 };
}

function count(t: Tally, r: Reply): void {
  t.total++;
  if (r.status === 200) t.byPod[r.body] = (t.byPod[r.body] ?? 0) + 1;
  else t.failures.push(r);
}

/** `n` sequential requests. */
export async function sendRequests(url: string, n: number): Promise<Tally> {
  const t = emptyTally();
  for (let i = 0; i < n; i++) count(t, await get(url));
  return t;
}

/** `concurrency` clients sending requests back to back until `stop()` is called. */
export function clientLoop(url: string, concurrency: number): { tally: Tally; stop: () => Promise<Tally> } {
  const tally = emptyTally();
  let running = true;
  const workers = Array.from({ length: concurrency }, async () => {
    while (running) count(tally, await get(url));
  });
  return {
    tally,
    stop: async () => {
      running = false;
      await Promise.all(workers);
      return tally;
    },
  };
}

export function closeClientConnections(): void {
  agent.destroy();
}
