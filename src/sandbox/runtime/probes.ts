/** Runs one readiness, liveness or startup probe against a pod on its loopback address. */
import { spawn } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { V1Container, V1Probe } from '@kubernetes/client-node';

export interface ProbeTarget {
  podIP: string;
  container: V1Container;
  /** Environment and working dir of the container, for exec probes. */
  env: Record<string, string>;
  cwd: string;
  /** Translates paths in an exec probe's command the way the container's own command was. */
  translate: (arg: string) => string;
}

export interface ProbeResult {
  ok: boolean;
  message: string;
}

function portNumber(port: number | string | undefined, container: V1Container): number | undefined {
  if (typeof port === 'number') return port;
  if (port === undefined) return undefined;
  if (/^[0-9]+$/.test(port)) return Number(port);
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

function httpProbe(probe: NonNullable<V1Probe['httpGet']>, t: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  const port = portNumber(probe.port as number | string, t.container);
  if (port === undefined) return Promise.resolve({ ok: false, message: `httpGet: port ${String(probe.port)} is not a container port` });
  const secure = probe.scheme === 'HTTPS';
  const headers: Record<string, string> = { 'User-Agent': 'kube-probe/sandbox' };
  for (const h of probe.httpHeaders ?? []) headers[h.name] = h.value;
  return new Promise((resolve) => {
    const req = (secure ? https : http).get({
      host: t.podIP, port, path: probe.path ?? '/', headers, timeout: timeoutMs, ...(secure ? { rejectUnauthorized: false } : {}),
    }, (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      resolve({ ok: code >= 200 && code < 400, message: `HTTP probe returned ${code}` });
    });
    req.on('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs}ms`)));
    req.on('error', (err) => resolve({ ok: false, message: `HTTP probe failed: ${err.message}` }));
  });
}

function tcpProbe(portSpec: number | string, t: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  const port = portNumber(portSpec, t.container);
  if (port === undefined) return Promise.resolve({ ok: false, message: `tcpSocket: port ${String(portSpec)} is not a container port` });
  return new Promise((resolve) => {
    const socket = net.connect({ host: t.podIP, port, timeout: timeoutMs });
    socket.once('connect', () => { socket.destroy(); resolve({ ok: true, message: 'connected' }); });
    socket.once('timeout', () => { socket.destroy(); resolve({ ok: false, message: `tcp probe timed out after ${timeoutMs}ms` }); });
    socket.once('error', (err) => resolve({ ok: false, message: `tcp probe failed: ${err.message}` }));
  });
}

function execProbe(command: string[], t: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  if (command.length === 0) return Promise.resolve({ ok: false, message: 'exec probe has no command' });
  const [program, ...args] = command.map(t.translate);
  return new Promise((resolve) => {
    const child = spawn(program, args, { env: t.env, cwd: t.cwd, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-300); });
    const timer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, timeoutMs);
    child.once('error', (err) => { clearTimeout(timer); resolve({ ok: false, message: `exec probe failed: ${err.message}` }); });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ ok: code === 0, message: code === 0 ? 'ok' : signal ? `exec probe killed (${signal}): timed out after ${timeoutMs}ms` : `exec probe exited ${code}: ${stderr.trim()}` });
    });
  });
}

export function runProbe(probe: V1Probe, t: ProbeTarget): Promise<ProbeResult> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  if (probe.httpGet) return httpProbe(probe.httpGet, t, timeoutMs);
  if (probe.tcpSocket) return tcpProbe(probe.tcpSocket.port as number | string, t, timeoutMs);
  if (probe.exec) return execProbe(probe.exec.command ?? [], t, timeoutMs);
  return Promise.resolve({ ok: false, message: 'probe type not supported by the sandbox (httpGet, tcpSocket and exec are)' });
}
