/**
 * Benchmark of the in-memory API server: write throughput (creates and updates over HTTP) and
 * watch fan-out latency with 1,000 objects and 10 watchers, plus the server's peak RSS. The
 * server runs in a child process of its own, as in the sandbox, so its memory is its own.
 * Prints a table and a final JSON line.
 */
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { startApiServer } from '../src/sandbox/apiserver/index.js';

const OBJECTS = 1000;
const WATCHERS = 10;
const UPDATES = 3000;
const ROUNDS = 3;
const CONCURRENCY = 16;

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function request(url: string, method: string, body: unknown, contentType = 'application/json'): Promise<number> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = http.request(url, { method, agent, headers: { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(data) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(data);
  });
}

async function runPool<T>(items: T[], work: (item: T) => Promise<void>): Promise<number> {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
  return (performance.now() - started) / 1000;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

interface Watcher {
  latencies: number[];
  received: number;
  close: () => void;
}

function openWatcher(url: string, sentAt: Map<string, number>): Promise<Watcher> {
  return new Promise((resolve, reject) => {
    const w: Watcher = { latencies: [], received: 0, close: () => req.destroy() };
    const req = http.get(url, (res) => {
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          const event = JSON.parse(line) as { object: { data?: { seq?: string } } };
          const seq = event.object.data?.seq;
          const t0 = seq ? sentAt.get(seq) : undefined;
          if (t0 !== undefined) w.latencies.push(performance.now() - t0);
          w.received++;
        }
      });
      resolve(w);
    });
    req.on('error', (err) => {
      if ((err as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(err);
    });
  });
}

/** Child mode: serve until told to stop, then report peak RSS. */
async function serve(): Promise<void> {
  const server = await startApiServer({ port: 0 });
  process.send!({ url: server.url });
  process.on('message', async () => {
    await server.close();
    process.send!({ maxRssKiB: process.resourceUsage().maxRSS }, () => process.exit(0));
  });
}

function startServerProcess(): Promise<{ url: string; child: ChildProcess }> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], { execArgv: ['--import', '@swc-node/register/esm-register'] });
  return new Promise((resolve, reject) => {
    child.once('message', (m: { url: string }) => resolve({ url: m.url, child }));
    child.once('exit', (code) => reject(new Error(`API server process exited with ${code}`)));
  });
}

function stopServerProcess(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once('message', (m: { maxRssKiB: number }) => resolve(m.maxRssKiB * 1024));
    child.send('stop');
  });
}

async function main(): Promise<void> {
  const server = await startServerProcess();
  const base = `${server.url}/api/v1/namespaces/default/configmaps`;

  const names = Array.from({ length: OBJECTS }, (_, i) => `cm-${String(i).padStart(4, '0')}`);
  const createSeconds = await runPool(names, async (name) => {
    const code = await request(base, 'POST', { metadata: { name, labels: { bench: 'yes' } }, data: { seq: '', payload: 'x'.repeat(200) } });
    if (code !== 201) throw new Error(`create ${name}: HTTP ${code}`);
  });

  const list = await (await fetch(base)).json() as { metadata: { resourceVersion: string } };
  const sentAt = new Map<string, number>();
  const watchers = await Promise.all(
    Array.from({ length: WATCHERS }, () => openWatcher(`${base}?watch=true&resourceVersion=${list.metadata.resourceVersion}`, sentAt)),
  );

  // Updates in rounds: the figure reported is the median round, the machine may be busy.
  const perRound = UPDATES / ROUNDS;
  const roundRates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const updates = Array.from({ length: perRound }, (_, i) => round * perRound + i);
    const seconds = await runPool(updates, async (i) => {
      const seq = `u${i}`;
      sentAt.set(seq, performance.now());
      const code = await request(`${base}/${names[i % OBJECTS]}`, 'PATCH', { data: { seq } }, 'application/merge-patch+json');
      if (code !== 200) throw new Error(`patch: HTTP ${code}`);
    });
    roundRates.push(perRound / seconds);
  }
  roundRates.sort((a, b) => a - b);
  const deadline = Date.now() + 60000;
  while (watchers.some((w) => w.received < UPDATES) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  for (const w of watchers) w.close();
  agent.destroy();
  const peakRss = await stopServerProcess(server.child);

  const all = watchers.flatMap((w) => w.latencies).sort((a, b) => a - b);
  const result = {
    benchmark: 'apiserver',
    objects: OBJECTS,
    watchers: WATCHERS,
    updates: UPDATES,
    concurrency: CONCURRENCY,
    createsPerSecond: Math.round(OBJECTS / createSeconds),
    updatesPerSecondMedian: Math.round(roundRates[Math.floor(ROUNDS / 2)]),
    watchEventsDelivered: all.length,
    fanoutLatencyMsP50: Number(percentile(all, 50).toFixed(2)),
    fanoutLatencyMsP99: Number(percentile(all, 99).toFixed(2)),
    peakRssMiB: Math.round(peakRss / 1024 / 1024),
  };
  const rows: [string, string][] = [
    ['objects / watchers', `${OBJECTS} / ${WATCHERS}`],
    ['creates per second', String(result.createsPerSecond)],
    [`updates per second (${CONCURRENCY} clients, median of ${ROUNDS})`, String(result.updatesPerSecondMedian)],
    ['watch events delivered', `${all.length} of ${UPDATES * WATCHERS}`],
    ['fan-out latency p50 (ms)', String(result.fanoutLatencyMsP50)],
    ['fan-out latency p99 (ms)', String(result.fanoutLatencyMsP99)],
    ['server peak RSS (MiB)', String(result.peakRssMiB)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

(process.argv.includes('--serve') ? serve() : main()).catch((err: unknown) => {
  process.stderr.write(`bench:apiserver failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
