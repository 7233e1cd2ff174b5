/** The manager's loop: ticks on its clock and on poke(), never two at once, nothing after stop(). */
import { expect, test } from '@jest/globals';
import { createServer, type AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { DatabaseManager } from '../../src/mysql/manager.js';
import { MemoryEvents, MemoryLabeler, MemoryRecord, MemoryStatus } from '../../src/mysql/memory.js';
import type { Clock } from '../../src/clock.js';
import type { InstanceAddress } from '../../src/mysql/ports.js';
import { spec } from './fixtures.js';

class ManualClock implements Clock {
  t = 0;
  timers: { at: number; fn: () => void; cancelled: boolean }[] = [];
  now(): number { return this.t; }
  after(ms: number, fn: () => void) {
    const timer = { at: this.t + ms, fn, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => { timer.cancelled = true; } };
  }
  advance(ms: number): void {
    this.t += ms;
    const due = this.timers.filter((x) => !x.cancelled && x.at <= this.t);
    this.timers = this.timers.filter((x) => !due.includes(x));
    due.forEach((x) => x.fn());
  }
}

const flush = () => new Promise((r) => setImmediate(r));
const credentials = { adminUser: 'a', adminPassword: 'p', replicationUser: 'r', replicationPassword: 'p', databaseName: 'd', appUser: 'u', appPassword: 'p', exporterUser: 'e', exporterPassword: 'p' };

/** A port nothing listens on: a connection is refused at once, as by a crashed server's host. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

test('ticks on the clock and on poke, one at a time, and stops', async () => {
  const clock = new ManualClock();
  let calls = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let release: (() => void) | undefined;
  const topology = {
    async instances(): Promise<InstanceAddress[]> {
      calls++;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      if (calls === 2) await new Promise<void>((r) => { release = r; });
      inFlight--;
      return [];
    },
  };
  const m = new DatabaseManager({
    stack: { namespace: 'n', name: 's' }, spec: () => spec, credentials, topology, record: new MemoryRecord(),
    labeler: new MemoryLabeler(), events: new MemoryEvents(), registry: new Registry(), clock, timings: { probeIntervalMs: 500 }, status: new MemoryStatus(),
  });
  m.start();
  await flush();
  expect(calls).toBe(1);
  expect(m.status().lastDecision).toEqual({ kind: 'none', reason: 'no database instances exist yet', result: undefined });
  clock.advance(499);
  await flush();
  expect(calls).toBe(1);
  clock.advance(1);
  await flush();
  expect(calls).toBe(2); // the second tick hangs until released
  m.poke();
  m.poke();
  clock.advance(5000);
  await flush();
  expect(calls).toBe(2);
  release!();
  await flush();
  await flush();
  expect(calls).toBe(3); // the pokes coalesced into one tick right after
  expect(maxInFlight).toBe(1);
  await m.stop();
  clock.advance(10_000);
  m.poke();
  await flush();
  expect(calls).toBe(3);
});

test('while the primary does not answer, the next tick comes when its threshold is reached, counted from the first unanswered probe', async () => {
  const clock = new ManualClock();
  const port = await closedPort();
  let probes = 0;
  const topology = {
    async instances(): Promise<InstanceAddress[]> {
      probes++;
      return [{ name: 'db-0', host: '127.0.0.1', port }];
    },
  };
  const m = new DatabaseManager({
    stack: { namespace: 'n', name: 's' }, spec: () => spec, credentials, topology, record: new MemoryRecord({ primary: 'db-0', bootstrapped: true }),
    labeler: new MemoryLabeler(), events: new MemoryEvents(), registry: new Registry(), clock,
    timings: { probeIntervalMs: 60_000 }, status: new MemoryStatus(),
  });
  const decided = async () => {
    for (let i = 0; i < 200 && !m.status().lastDecision; i++) await new Promise((r) => setTimeout(r, 10));
    return m.status().lastDecision;
  };
  try {
    m.start();
    expect((await decided())?.reason).toMatch(/primary db-0 unreachable .* for 0 ms; threshold 2 s/);
    expect(probes).toBe(1);
    clock.advance(spec.failureThresholdSeconds * 1000 - 1);
    await flush();
    expect(probes).toBe(1);
    clock.advance(1);
    await flush();
    expect(probes).toBe(2);
  } finally {
    await m.stop();
  }
});

test('a hung primary: its next probe is sent a probe timeout before the threshold, and the replicas are probed after it timed out', async () => {
  const clock = new ManualClock();
  const connectTimeoutMs = 100;
  const dialled: { who: string; at: number }[] = [];
  const hung = createServer((socket) => { dialled.push({ who: 'primary', at: Date.now() }); socket.on('error', () => undefined); });
  const closing = createServer((socket) => { dialled.push({ who: 'replica', at: Date.now() }); socket.destroy(); });
  const listen = async (server: ReturnType<typeof createServer>) => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return (server.address() as AddressInfo).port;
  };
  const [primaryPort, replicaPort] = [await listen(hung), await listen(closing)];
  const topology = {
    async instances(): Promise<InstanceAddress[]> {
      return [{ name: 'db-0', host: '127.0.0.1', port: primaryPort }, { name: 'db-1', host: '127.0.0.1', port: replicaPort }];
    },
  };
  const m = new DatabaseManager({
    stack: { namespace: 'n', name: 's' }, spec: () => spec, credentials, topology, record: new MemoryRecord({ primary: 'db-0', bootstrapped: true }),
    labeler: new MemoryLabeler(), events: new MemoryEvents(), registry: new Registry(), clock,
    timings: { probeIntervalMs: 60_000, connectTimeoutMs }, status: new MemoryStatus(),
  });
  const decisions = async (n: number) => {
    for (let i = 0; i < 300 && dialled.filter((d) => d.who === 'replica').length < n; i++) await new Promise((r) => setTimeout(r, 10));
    for (let i = 0; i < 300 && m.status().lastDecision?.reason.includes('(timeout)') !== true; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, connectTimeoutMs * 3));
  };
  try {
    m.start();
    await decisions(1);
    expect(m.status().lastDecision?.reason).toMatch(/primary db-0 unreachable \(timeout\) for 0 ms/);
    expect(dialled.map((d) => d.who).sort()).toEqual(['primary', 'replica']);
    clock.advance(spec.failureThresholdSeconds * 1000 - connectTimeoutMs - 1);
    await flush();
    expect(dialled).toHaveLength(2);
    clock.advance(1);
    await decisions(2);
    const second = dialled.slice(2);
    expect(second.map((d) => d.who)).toEqual(['primary', 'replica']);
    expect(second[1].at - second[0].at).toBeGreaterThanOrEqual(connectTimeoutMs - 10);
  } finally {
    await m.stop();
    hung.close();
    closing.close();
  }
});
