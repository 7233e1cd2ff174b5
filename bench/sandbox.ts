/**
 * `npm run bench:sandbox -- --trials N [--control-plane embedded|kube]`: end-to-end crash failover
 * as the app sees it, on the in-memory API server or the real control plane. A sandbox runs
 * a MariaDB WebStack; writes go through HAProxy and the demo app to the primary Service; each trial
 * SIGKILLs the recorded primary pod and measures the time from the first failed write to the first
 * successful one, then checks every acknowledged write on the new primary. Ends with one JSON line:
 * {controlPlane, appFailoverP50Ms, appFailoverMaxMs, lostWrites, trials}.
 */
import { startSandbox, type ControlPlane, type Sandbox } from '../test/e2e/sandbox-process.js';
import { DATABASE_STACK } from '../test/e2e/stacks.js';
import { lostWrites, rowIdsOn, WriteLoad } from '../test/e2e/write-load.js';
import { eventually } from '../test/support/eventually.js';

function flagValue(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

function parseControlPlane(argv: string[]): ControlPlane {
  const raw = flagValue(argv, 'control-plane') ?? 'embedded';
  if (raw !== 'embedded' && raw !== 'kube') throw new Error(`--control-plane: embedded or kube, got '${raw}'`);
  return raw;
}

function parseTrials(argv: string[]): number {
  const raw = flagValue(argv, 'trials');
  const n = Number(raw ?? '5');
  if (!Number.isInteger(n) || n < 1) throw new Error(`--trials: a positive integer, got '${raw}'`);
  return n;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function jsonpath(sb: Sandbox, ...args: string[]): Promise<string> {
  return sb.kubectl(...args.slice(0, -1), '-o', `jsonpath=${args[args.length - 1]}`);
}

async function healthy(sb: Sandbox): Promise<string> {
  return eventually('every database pod Ready and a recorded primary', async () => {
    const ready = await jsonpath(sb, 'get', 'sts', 'shop-mysql', '{.status.readyReplicas}');
    const primary = await jsonpath(sb, 'get', 'ws', 'shop', '{.status.database.primary}');
    return ready === '3' && primary ? primary : undefined;
  }, 300_000);
}

async function main(): Promise<void> {
  const trials = parseTrials(process.argv.slice(2));
  const controlPlane = parseControlPlane(process.argv.slice(2));
  const sb = await startSandbox(DATABASE_STACK, controlPlane);
  try {
    const url = await eventually('the stack URL', () => /shop is Ready: (http:\/\/\S+)/.exec(sb.output())?.[1], 300_000);
    const decode = async (secret: string, key: string) => Buffer.from(await jsonpath(sb, 'get', 'secret', secret, `{.data.${key.replace('.', '\\.')}}`), 'base64').toString('utf8');
    const credentials = { user: await decode('shop-mysql', 'admin-user'), password: await decode('shop-mysql', 'admin-password'), ca: await decode('shop-mysql-ca', 'ca.crt') };
    const outages: number[] = [];
    let lost = 0;
    process.stdout.write('trial  killed          new primary     app outage ms  lost\n');
    for (let t = 1; t <= trials; t++) {
      const primary = await healthy(sb);
      const load = new WriteLoad(url);
      await eventually('writes flowing', () => load.acknowledged().length >= 20, 120_000);
      const killedAt = Date.now();
      await sb.cli('kill', primary);
      const next = await eventually('a new primary', async () => {
        const p = await jsonpath(sb, 'get', 'ws', 'shop', '{.status.database.primary}');
        return p && p !== primary ? p : undefined;
      }, 120_000);
      await eventually('writes resumed', () => load.successAfter(killedAt + 100) !== undefined, 120_000);
      await new Promise((r) => setTimeout(r, 1000));
      await load.stop();
      const outage = load.outageMs(killedAt) ?? 0;
      const ip = await jsonpath(sb, 'get', 'pod', next, '{.status.podIP}');
      const missing = lostWrites(load.acknowledged(), await rowIdsOn(ip, credentials, 'app')).length;
      outages.push(outage);
      lost += missing;
      process.stdout.write(`${String(t).padEnd(7)}${primary.padEnd(16)}${next.padEnd(16)}${String(outage).padEnd(15)}${missing}\n`);
    }
    process.stdout.write(`${JSON.stringify({ controlPlane, appFailoverP50Ms: percentile(outages, 50), appFailoverMaxMs: Math.max(...outages), lostWrites: lost, trials })}\n`);
  } finally {
    await sb.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:sandbox: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
