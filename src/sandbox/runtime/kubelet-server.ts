/**
 * The kubelet's HTTPS endpoint, for what the API server proxies to a node: `kubectl logs` (with
 * follow, tailLines and limitBytes). Clients must present a certificate signed by the cluster's CA,
 * as the API server does with its kubelet client certificate, and be authorized for it.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../log.js';
import { containerLogFile, lastLines, parseLogRequest, type LogRequest } from './container-logs.js';
import { identityOf, type Authorize } from './kubelet-authorizer.js';

const FOLLOW_POLL_MS = 250;

export interface KubeletServer {
  port: number;
  close(): Promise<void>;
}

export interface KubeletServerOptions {
  stateDir: string;
  tls: { cert: string; key: string };
  /** The CA client certificates must be signed by. */
  clientCa: string;
  authorize: Authorize;
  log: Logger;
}

function fail(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain' });
  res.end(`${message}\n`);
}

/** Appends what the file gains until the client goes away or the server closes. */
function follow(file: string, from: number, res: ServerResponse, budget: { left: number }, closing: { now: boolean }): void {
  let offset = from;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    if (closing.now || res.destroyed || budget.left <= 0) { clearInterval(timer); res.end(); return; }
    busy = true;
    void stat(file).then((s) => {
      if (s.size < offset) offset = 0;
      if (s.size === offset) return undefined;
      const end = Math.min(s.size, offset + budget.left) - 1;
      return new Promise<void>((resolve) => {
        const stream = createReadStream(file, { start: offset, end });
        stream.on('data', (chunk) => { res.write(chunk); });
        stream.on('close', () => resolve());
        const read = end - offset + 1;
        offset += read;
        budget.left -= read;
      });
    }).catch(() => undefined).finally(() => { busy = false; });
  }, FOLLOW_POLL_MS);
  res.on('close', () => clearInterval(timer));
}

async function serveLogs(req: LogRequest, res: ServerResponse, stateDir: string, closing: { now: boolean }): Promise<void> {
  const file = containerLogFile(stateDir, req.namespace, req.pod, req.container);
  let text: Buffer;
  try {
    text = await readFile(file);
  } catch {
    fail(res, 404, `no logs for container ${req.container} of pod ${req.namespace}/${req.pod} on this node`);
    return;
  }
  const budget = { left: req.limitBytes ?? Number.POSITIVE_INFINITY };
  const selected = Buffer.from(lastLines(text.toString('utf8'), req.tailLines), 'utf8');
  const first = selected.subarray(0, Math.min(selected.length, budget.left));
  budget.left -= first.length;
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  res.write(first);
  if (req.follow && budget.left > 0) follow(file, text.length, res, budget, closing);
  else res.end();
}

export function startKubeletServer(opts: KubeletServerOptions): Promise<KubeletServer> {
  const closing = { now: false };
  const server: Server = createServer({ cert: opts.tls.cert, key: opts.tls.key, ca: opts.clientCa, requestCert: true, rejectUnauthorized: true },
    (req: IncomingMessage, res: ServerResponse) => {
      const parsed = req.method === 'GET' ? parseLogRequest(new URL(req.url ?? '/', 'https://kubelet')) : { status: 405, message: 'method not allowed' };
      if ('status' in parsed) { fail(res, parsed.status, parsed.message); return; }
      const who = identityOf((req.socket as TLSSocket).getPeerCertificate().subject);
      if (!who) { fail(res, 401, 'a client certificate with a common name is required'); return; }
      opts.authorize(who).then(async (decision) => {
        if (!decision.allowed) { fail(res, 403, `${who.user} may not get nodes/proxy on this node${decision.reason ? `: ${decision.reason}` : ''}`); return; }
        await serveLogs(parsed, res, opts.stateDir, closing);
      }).catch((err) => {
        opts.log.warn('kubelet log request failed', { error: String(err) });
        if (!res.headersSent) fail(res, 500, 'reading the log failed');
        else res.end();
      });
    });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({
        port,
        close: () => new Promise<void>((done) => {
          closing.now = true;
          server.close(() => done());
          server.closeAllConnections();
        }),
      });
    });
  });
}
