/**
 * How `sandbox kill|stop|cont` reaches a running sandbox: the sandbox serves a tiny HTTP control
 * endpoint on loopback and records its address in DIR/sandbox.json.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export const CONTROL_FILE = 'sandbox.json';

export interface SandboxInfo {
  pid: number;
  /** http://127.0.0.1:PORT of the control endpoint. */
  control: string;
  apiserver: string;
  dns: string;
}

export interface ControlServer {
  url: string;
  close(): Promise<void>;
}

const ALLOWED = new Set(['SIGKILL', 'SIGSTOP', 'SIGCONT', 'SIGTERM']);

export interface PodSignals {
  signalPod(namespace: string, pod: string, signal: NodeJS.Signals): number;
  crashPod(namespace: string, pod: string, downForMs: number): number;
}

export async function startControlServer(pods: PodSignals): Promise<ControlServer> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://control');
    const reply = (status: number, body: object) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || url.pathname !== '/signal') return reply(404, { error: 'POST /signal?namespace=NS&pod=NAME&signal=SIGKILL' });
    const namespace = url.searchParams.get('namespace') ?? 'default';
    const pod = url.searchParams.get('pod') ?? '';
    const signal = url.searchParams.get('signal') ?? '';
    if (!ALLOWED.has(signal)) return reply(400, { error: `signal: ${signal} is not one of ${[...ALLOWED].join(', ')}` });
    const downForMs = Number(url.searchParams.get('downForMs') ?? '0');
    if (!Number.isFinite(downForMs) || downForMs < 0) return reply(400, { error: `downForMs: a number of milliseconds, got ${url.searchParams.get('downForMs')}` });
    const count = signal === 'SIGKILL' ? pods.crashPod(namespace, pod, downForMs) : pods.signalPod(namespace, pod, signal as NodeJS.Signals);
    if (count === 0) return reply(404, { error: `pod ${namespace}/${pod} has no running process in this sandbox` });
    return reply(200, { pod, namespace, signal, processes: count });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

export function readSandboxInfo(stateDir: string): SandboxInfo {
  const file = path.join(stateDir, CONTROL_FILE);
  let info: SandboxInfo;
  try {
    info = JSON.parse(readFileSync(file, 'utf8')) as SandboxInfo;
  } catch {
    throw new Error(`no sandbox is running with state dir ${stateDir} (${file} is missing): start one with 'webstack-operator sandbox -f FILE'`);
  }
  try {
    process.kill(info.pid, 0);
  } catch {
    throw new Error(`the sandbox recorded in ${file} (pid ${info.pid}) is not running`);
  }
  return info;
}

export async function signalThroughControl(stateDir: string, namespace: string, pod: string, signal: string, downForMs = 0): Promise<string> {
  const info = readSandboxInfo(stateDir);
  const url = `${info.control}/signal?${new URLSearchParams({ namespace, pod, signal, downForMs: String(downForMs) })}`;
  const res = await fetch(url, { method: 'POST', signal: AbortSignal.timeout(10_000) });
  const body = await res.json() as { error?: string; processes?: number };
  if (!res.ok) throw new Error(body.error ?? `control endpoint answered ${res.status}`);
  const down = signal === 'SIGKILL' && downForMs > 0 ? `; it restarts in ${downForMs / 1000}s` : '';
  return `${signal} sent to ${namespace}/${pod} (${body.processes} process group${body.processes === 1 ? '' : 's'})${down}`;
}
