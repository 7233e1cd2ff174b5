/**
 * How `sandbox kill|stop|cont|partition|heal` reaches a running sandbox: the sandbox serves a tiny
 * HTTP control endpoint on loopback and records its address in DIR/sandbox.json.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Partitions } from './partitions.js';
import { lookupPod, type PodRef } from './pod-lookup.js';

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
  /** Every pod the sandbox runs, to find a pod's namespace when none is given. */
  pods(): readonly PodRef[];
  signalPod(namespace: string, pod: string, signal: NodeJS.Signals): number;
  crashPod(namespace: string, pod: string, downForMs: number): number;
}

/** Network partitions between pods and the operator; an Error says why there are none (not root...). */
export type PodPartitions = Partitions | Error;

/** `--from` names as endpoints: `operator`, `NAMESPACE/POD`, or a pod of the same namespace. */
function endpointsFrom(namespace: string, from: string[]): string[] {
  return from.map((f) => (f === 'operator' || f.includes('/') ? f : `${namespace}/${f}`));
}

function partitionRequest(partitions: PodPartitions, url: URL, namespace: string, pod: string): { status: number; body: object } {
  if (partitions instanceof Error) return { status: 501, body: { error: `partitions are not available in this sandbox: ${partitions.message}` } };
  const name = `${namespace}/${pod}`;
  try {
    if (url.pathname === '/heal') partitions.heal(name);
    else partitions.partition(name, endpointsFrom(namespace, url.searchParams.getAll('from')));
  } catch (err) {
    return { status: 400, body: { error: (err as Error).message } };
  }
  return { status: 200, body: { pod, namespace, cutOff: partitions.cutOff(name) } };
}

export async function startControlServer(pods: PodSignals, partitions: PodPartitions): Promise<ControlServer> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://control');
    const reply = (status: number, body: object) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const pod = url.searchParams.get('pod') ?? '';
    const given = url.searchParams.get('namespace') ?? undefined;
    const partition = req.method === 'POST' && (url.pathname === '/partition' || url.pathname === '/heal');
    if (!partition && (req.method !== 'POST' || url.pathname !== '/signal')) {
      return reply(404, { error: 'POST /signal?pod=NAME&signal=SIGKILL[&namespace=NS], /partition?pod=NAME[&namespace=NS][&from=POD|operator...] or /heal?pod=NAME[&namespace=NS]' });
    }
    // A heal names a partition, which may outlive its pod: with -n it needs no running pod.
    const found = partition && given !== undefined ? { namespace: given } : lookupPod(pods.pods(), pod, given);
    if ('error' in found) return reply(404, { error: found.error });
    const { namespace } = found;
    if (partition) {
      const { status, body } = partitionRequest(partitions, url, namespace, pod);
      return reply(status, body);
    }
    const signal = url.searchParams.get('signal') ?? '';
    if (!ALLOWED.has(signal)) return reply(400, { error: `signal: ${signal} is not one of ${[...ALLOWED].join(', ')}` });
    const downForMs = Number(url.searchParams.get('downForMs') ?? '0');
    if (!Number.isFinite(downForMs) || downForMs < 0) return reply(400, { error: `downForMs: a number of milliseconds, got ${url.searchParams.get('downForMs')}` });
    const count = signal === 'SIGKILL' ? pods.crashPod(namespace, pod, downForMs) : pods.signalPod(namespace, pod, signal as NodeJS.Signals);
    if (count === 0) return reply(409, { error: `pod ${namespace}/${pod} has no running process now (its containers are waiting to start or restart: kubectl describe pod ${pod} -n ${namespace})` });
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

/** `namespace` undefined: wherever a pod of that name runs (refused when that is more than one namespace). */
export async function signalThroughControl(stateDir: string, namespace: string | undefined, pod: string, signal: string, downForMs = 0): Promise<string> {
  const info = readSandboxInfo(stateDir);
  const url = `${info.control}/signal?${new URLSearchParams({ ...(namespace === undefined ? {} : { namespace }), pod, signal, downForMs: String(downForMs) })}`;
  const res = await fetch(url, { method: 'POST', signal: AbortSignal.timeout(10_000) });
  const body = await res.json() as { error?: string; processes?: number; namespace?: string };
  if (!res.ok) throw new Error(body.error ?? `control endpoint answered ${res.status}`);
  const down = signal === 'SIGKILL' && downForMs > 0 ? `; it restarts in ${downForMs / 1000}s` : '';
  return `${signal} sent to ${body.namespace}/${pod} (${body.processes} process group${body.processes === 1 ? '' : 's'})${down}`;
}

/** `sandbox partition|heal`: cuts a pod off (from the `from` pods or the operator, or from everything) or heals it. */
export async function partitionThroughControl(stateDir: string, given: string | undefined, pod: string, heal: boolean, from: string[]): Promise<string> {
  const info = readSandboxInfo(stateDir);
  const query = new URLSearchParams({ ...(given === undefined ? {} : { namespace: given }), pod });
  for (const f of from) query.append('from', f);
  const res = await fetch(`${info.control}/${heal ? 'heal' : 'partition'}?${query}`, { method: 'POST', signal: AbortSignal.timeout(10_000) });
  const body = await res.json() as { error?: string; cutOff?: string[]; namespace?: string };
  if (!res.ok) throw new Error(body.error ?? `control endpoint answered ${res.status}`);
  const cut = body.cutOff ?? [];
  const namespace = body.namespace ?? given;
  if (heal) return `${namespace}/${pod} healed: it reaches every pod and the operator again`;
  return `${namespace}/${pod} is cut off from ${cut.join(', ')}; 'sandbox heal ${pod}${namespace === 'default' ? '' : ` -n ${namespace}`}' ends it`;
}
