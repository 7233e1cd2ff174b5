/**
 * Real haproxy for tests: check a config with `haproxy -c` (warnings are errors), run one in the
 * foreground, and read its servers' state through the runtime API socket the config declares.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HAPROXY_BACKEND } from '../../src/render/haproxy-config.js';
import { HAPROXY_WEIGHTS_LUA_KEY, weightsLua } from '../../src/render/haproxy-weights.js';

export const HAPROXY = process.env.HAPROXY ?? '/usr/sbin/haproxy';

export interface CheckResult {
  ok: boolean;
  output: string;
}

/** `haproxy -dW -c`: the config parses and loads with zero warnings. */
export function checkHaproxyConfig(config: string): Promise<CheckResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'haproxy-check-'));
  const file = path.join(dir, 'haproxy.cfg');
  // The pod loads the weights Lua from the ConfigMap's mount; the check loads the same script from here.
  const lua = path.join(dir, HAPROXY_WEIGHTS_LUA_KEY);
  writeFileSync(lua, weightsLua(HAPROXY_BACKEND));
  writeFileSync(file, config.replace(/^(\s*lua-load )\S+$/m, `$1${lua}`));
  return new Promise((resolve) => {
    execFile(HAPROXY, ['-dW', '-c', '-f', file], { timeout: 30000 }, (err, stdout, stderr) => {
      rmSync(dir, { recursive: true, force: true });
      resolve({ ok: !err, output: `${stdout}${stderr}` });
    });
  });
}

export interface ServerState {
  /** The template server's name, e.g. `web-1`. */
  name: string;
  /** `host:port` it resolved to, or '' while unresolved. */
  address: string;
  /** UP, DOWN, MAINT, ... as the stats line says (a slot without a record is MAINT (resolution)). */
  status: string;
  weight: number;
  backup: boolean;
}

export interface RunningHaproxy {
  readonly process: ChildProcess;
  /** Everything haproxy wrote, for a failure message. */
  output(): string;
  /** One runtime API command's answer. */
  command(cmd: string): Promise<string>;
  servers(backend: string): Promise<ServerState[]>;
  stop(): Promise<void>;
}

function runtimeCommand(socket: string, cmd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const conn = net.connect(socket);
    let out = '';
    conn.setTimeout(10000, () => conn.destroy(new Error(`runtime API: no answer to "${cmd}"`)));
    conn.on('connect', () => conn.write(`${cmd}\n`));
    conn.on('data', (d) => { out += d.toString(); });
    conn.on('error', reject);
    conn.on('close', () => resolve(out));
  });
}

function parseStat(csv: string, backend: string): ServerState[] {
  const lines = csv.split('\n').filter((l) => l.length > 0);
  const header = lines[0].replace(/^# /, '').split(',');
  const col = (name: string): number => header.indexOf(name);
  return lines.slice(1).map((l) => l.split(','))
    .filter((f) => f[col('pxname')] === backend && f[col('svname')] !== 'BACKEND' && f[col('svname')] !== 'FRONTEND')
    .map((f) => ({
      name: f[col('svname')],
      address: f[col('addr')] ?? '',
      status: f[col('status')],
      weight: Number(f[col('weight')]),
      backup: f[col('bck')] === '1',
    }));
}

/** Starts haproxy in the foreground on `config` with `env` added to its environment; `socketPath` is the `stats socket` the config names. */
export async function startHaproxy(config: string, socketPath: string, dir: string, env: Record<string, string> = {}): Promise<RunningHaproxy> {
  const file = path.join(dir, 'haproxy.cfg');
  writeFileSync(file, config);
  const child = spawn(HAPROXY, ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let output = '';
  // Keep the tail only: access logs of a long traffic run would otherwise pile up.
  const keep = (d: Buffer): void => { output = (output + d.toString()).slice(-20000); };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 20000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`haproxy exited with ${child.exitCode}: ${output}`);
    try {
      await runtimeCommand(socketPath, 'show info');
      break;
    } catch (err) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`haproxy did not open ${socketPath} within 20s\n${output}`, { cause: err });
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    process: child,
    output: () => output,
    command: (cmd) => runtimeCommand(socketPath, cmd),
    servers: async (backend) => parseStat(await runtimeCommand(socketPath, 'show stat'), backend),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}
