/** A real in-memory API server, a real DNS server and the runtime, with clients for the test. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { kubeConfigFrom } from '../../../src/sandbox/runtime/cluster.js';
import { startApiServer, type RunningApiServer } from '../../../src/sandbox/apiserver/index.js';
import { startDnsServer, type DnsServer } from '../../../src/sandbox/dns/server.js';
import { createLogger } from '../../../src/log.js';
import { startRuntime, type Runtime } from '../../../src/sandbox/runtime/index.js';
import type { Partitions } from '../../../src/sandbox/runtime/partitions.js';

export interface Harness {
  api: RunningApiServer;
  dns: DnsServer;
  runtime: Runtime;
  core: CoreV1Api;
  apps: AppsV1Api;
  stateDir: string;
  logs: string[];
  close(): Promise<void>;
}

export async function startHarness(opts: { partitions?: Partitions } = {}): Promise<Harness> {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'sandbox-runtime-'));
  const logs: string[] = [];
  const stream = new Writable({ write(chunk, _enc, cb) { logs.push(String(chunk)); cb(); } });
  const log = createLogger({ format: 'json', level: 'debug', stream });
  const api = await startApiServer();
  const dns = await startDnsServer();
  const runtime = await startRuntime({ kubeconfig: api.kubeconfig(), stateDir, log, dns, resyncMs: 500, partitions: opts.partitions });
  const kc = kubeConfigFrom(api.kubeconfig());
  return {
    api, dns, runtime, stateDir, logs,
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    close: async () => {
      await runtime.close(2000);
      await dns.close();
      await api.close();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}


export async function httpGet(host: string, port: number, pathName = '/'): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://${host}:${port}${pathName}`, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: await res.text() };
}
