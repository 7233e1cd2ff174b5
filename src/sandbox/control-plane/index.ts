/**
 * The real Kubernetes control plane on this machine: etcd, kube-apiserver (TLS, RBAC,
 * service-account tokens), kube-controller-manager and kube-scheduler, built from source by
 * scripts/cluster-build.sh. Every file lives under `dir` (certificates, etcd data, kubeconfigs,
 * logs); `startControlPlane` returns once the API server is ready and the controllers have made
 * the `default` ServiceAccount, so pods can be created.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import path from 'node:path';
import { controlPlaneBinaries } from './binaries.js';
import {
  apiserverArgs, AUDIT_POLICY, CLUSTER_DOMAIN, controllerManagerArgs, etcdArgs, KUBERNETES_SERVICE_IP, schedulerArgs, type Layout, type Ports,
} from './component-args.js';
import { ensurePki, kubeconfigFor } from './pki.js';

export interface ControlPlaneOptions {
  /** Everything goes under here; what an earlier run left is removed first. */
  dir: string;
  /** Folder with the four binaries; default: the build script's cache. */
  binDir?: string;
  /** How long start-up may take, ms. */
  timeoutMs?: number;
  /** false: etcd and the API server only, no controllers or scheduler (a benchmark's bare server). */
  controllers?: boolean;
}

export interface ControlPlane {
  /** https://127.0.0.1:PORT */
  url: string;
  port: number;
  /** Admin (system:masters) kubeconfig text, certificates inline. */
  kubeconfig(): string;
  /** The component logs, by name. */
  logs: Record<string, string>;
  /** The process id of each component, by name (benchmarks read their CPU time). */
  pids: Record<string, number>;
  /** The API server's audit log: every write, JSON lines (see AUDIT_POLICY). */
  auditLog: string;
  /** The CA that signed the API server's certificate (PEM). */
  caPem: string;
  /** The serving certificate and key (PEM) of the kubelet's endpoint, which the API server calls for logs. */
  kubeletTls: { cert: string; key: string };
  /** Stops every component (SIGTERM, then SIGKILL after `graceMs`). */
  close(graceMs?: number): Promise<void>;
}

/** A TCP port nothing listens on at `host` now (the kernel's pick; free again once this returns). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

interface Component { name: string; child: ChildProcess; exited: Promise<void>; log: string }

function lastLines(file: string, n: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).join('\n');
  } catch {
    return '';
  }
}

function start(name: string, binary: string, args: string[], cwd: string, logDir: string): Component {
  const log = path.join(logDir, `${name}.log`);
  const fd = openSync(log, 'a');
  const child = spawn(binary, args, { cwd, stdio: ['ignore', fd, fd] });
  const exited = new Promise<void>((resolve) => { child.once('exit', () => resolve()); child.once('error', () => resolve()); });
  return { name, child, exited, log };
}

type Probe = () => Promise<boolean>;

function get(url: string, tls?: { ca: string; cert?: string; key?: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(u, {
      timeout: 2000,
      ...(tls ? { ca: tls.ca, cert: tls.cert, key: tls.key } : {}),
      ...(u.protocol === 'https:' && !tls ? { rejectUnauthorized: false } : {}),
    }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

async function waitFor(what: Component, probe: Probe, deadline: number): Promise<void> {
  let exited = false;
  void what.exited.then(() => { exited = true; });
  for (;;) {
    if (exited) throw new Error(`${what.name} exited during start-up; last lines of ${what.log}:\n${lastLines(what.log, 15)}`);
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what.name} was not ready in time; last lines of ${what.log}:\n${lastLines(what.log, 15)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function stopAll(components: Component[], graceMs: number): Promise<void> {
  for (const c of [...components].reverse()) {
    if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGTERM');
    const timer = setTimeout(() => c.child.kill('SIGKILL'), graceMs);
    await c.exited;
    clearTimeout(timer);
  }
}

/** How many times a start is tried with new ports when a component finds its port taken. */
const PORT_ATTEMPTS = 3;

/**
 * Starts etcd, kube-apiserver and (unless `controllers: false`) the controller manager and the
 * scheduler on free ports. A port is free when picked and taken when bound: another process (an
 * outgoing connection's ephemeral port) may take it in between, and then the start is tried again
 * on new ports.
 */
export async function startControlPlane(opts: ControlPlaneOptions): Promise<ControlPlane> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(opts);
    } catch (err) {
      if (attempt >= PORT_ATTEMPTS || !(err instanceof Error) || !err.message.includes('address already in use')) throw err;
    }
  }
}

async function startOnce(opts: ControlPlaneOptions): Promise<ControlPlane> {
  const bins = opts.binDir ? { dir: opts.binDir } : controlPlaneBinaries();
  if ('missing' in bins) throw new Error(bins.missing);
  const dir = path.resolve(opts.dir);
  rmSync(dir, { recursive: true, force: true });
  const logDir = path.join(dir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const layout: Layout = {
    pki: path.join(dir, 'pki'),
    audit: { policy: path.join(dir, 'audit-policy.yaml'), log: path.join(logDir, 'audit.log') },
    etcdData: path.join(dir, 'etcd'),
    kubeconfigs: { controllerManager: path.join(dir, 'controller-manager.kubeconfig'), scheduler: path.join(dir, 'scheduler.kubeconfig') },
  };
  const ports: Ports = {
    etcdClient: await freePort(), etcdPeer: await freePort(), apiserver: await freePort(),
    controllerManager: await freePort(), scheduler: await freePort(),
  };
  ensurePki(layout.pki, KUBERNETES_SERVICE_IP, CLUSTER_DOMAIN);
  writeFileSync(layout.audit.policy, AUDIT_POLICY);
  const url = `https://127.0.0.1:${ports.apiserver}`;
  writeFileSync(layout.kubeconfigs.controllerManager, kubeconfigFor(layout.pki, 'controller-manager', url), { mode: 0o600 });
  writeFileSync(layout.kubeconfigs.scheduler, kubeconfigFor(layout.pki, 'scheduler', url), { mode: 0o600 });
  const admin = kubeconfigFor(layout.pki, 'admin', url);
  const tls = {
    ca: readFileSync(path.join(layout.pki, 'ca.crt'), 'utf8'),
    cert: readFileSync(path.join(layout.pki, 'admin.crt'), 'utf8'),
    key: readFileSync(path.join(layout.pki, 'admin.key'), 'utf8'),
  };
  const bin = (b: string) => path.join(bins.dir, b);
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  const components: Component[] = [];
  try {
    const etcd = start('etcd', bin('etcd'), etcdArgs(layout, ports), dir, logDir);
    components.push(etcd);
    await waitFor(etcd, async () => (await get(`http://127.0.0.1:${ports.etcdClient}/health`)).body.includes('"health":"true"'), deadline);
    const apiserver = start('kube-apiserver', bin('kube-apiserver'), apiserverArgs(layout, ports), dir, logDir);
    components.push(apiserver);
    await waitFor(apiserver, async () => (await get(`${url}/readyz`, tls)).status === 200, deadline);
    if (opts.controllers !== false) {
      const kcm = start('kube-controller-manager', bin('kube-controller-manager'), controllerManagerArgs(layout, ports), dir, logDir);
      const scheduler = start('kube-scheduler', bin('kube-scheduler'), schedulerArgs(layout, ports), dir, logDir);
      components.push(kcm, scheduler);
      await waitFor(kcm, async () => (await get(`https://127.0.0.1:${ports.controllerManager}/healthz`)).status === 200, deadline);
      await waitFor(scheduler, async () => (await get(`https://127.0.0.1:${ports.scheduler}/healthz`)).status === 200, deadline);
      // Pods can only be admitted once their namespace's ServiceAccount exists.
      await waitFor(kcm, async () => (await get(`${url}/api/v1/namespaces/default/serviceaccounts/default`, tls)).status === 200, deadline);
    }
  } catch (err) {
    await stopAll(components, 2000);
    throw err;
  }
  return {
    url,
    port: ports.apiserver,
    kubeconfig: () => admin,
    logs: Object.fromEntries(components.map((c) => [c.name, c.log])),
    pids: Object.fromEntries(components.map((c) => [c.name, c.child.pid!])),
    auditLog: layout.audit.log,
    caPem: tls.ca,
    kubeletTls: {
      cert: readFileSync(path.join(layout.pki, 'kubelet.crt'), 'utf8'),
      key: readFileSync(path.join(layout.pki, 'kubelet.key'), 'utf8'),
    },
    close: (graceMs = 10_000) => stopAll(components, graceMs),
  };
}
