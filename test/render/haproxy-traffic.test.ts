/**
 * Real traffic through a rendered haproxy.cfg: real haproxy, resolving app tiers through the
 * sandbox DNS server on loopback, in front of real HTTP servers as pods on 127.0.x.y addresses.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { WebStackSpec } from '../../src/api/types.js';
import { setWeights } from '../../src/controller/haproxy-weights.js';
import { clientLoop, closeClientConnections, get, sendRequests } from '../support/http-backends.js';
import { webStack } from '../support/haproxy-examples.js';
import { startStack, type StackUnderTest } from '../support/haproxy-stack.js';
import { writeSelfSignedCert } from '../support/self-signed-cert.js';
import { eventually } from '../support/eventually.js';

// Short checks so that a dead pod is noticed in about two seconds.
const FAST_CHECKS = { intervalSeconds: 1, fall: 2, rise: 1 };

function stackSpec(spec: Omit<WebStackSpec, 'loadBalancer'> & { algorithm?: 'roundrobin' | 'static-rr' }): WebStackSpec {
  return { loadBalancer: { algorithm: spec.algorithm ?? 'roundrobin', healthCheck: FAST_CHECKS }, apps: spec.apps };
}

function share(byPod: Record<string, number>, prefix: string): number {
  return Object.entries(byPod).filter(([pod]) => pod.startsWith(prefix)).reduce((n, [, c]) => n + c, 0);
}

afterAll(() => closeClientConnections());

describe('round robin over one tier, a killed pod, and pods coming and going in DNS', () => {
  let stack: StackUnderTest;
  beforeAll(async () => {
    stack = await startStack(webStack('rr', stackSpec({ apps: [{ name: 'web', image: 'x', replicas: 3 }] })),
      { web: ['127.0.1.1', '127.0.1.2', '127.0.1.3'] });
    await stack.waitUp(3);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('answers its own health and metrics endpoints on the stats port', async () => {
    expect((await get(`${stack.statsUrl}/healthz`)).status).toBe(200);
    const metrics = await get(`${stack.statsUrl}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatch(/^haproxy_backend_active_servers\{proxy="apps"\} 3$/m);
  });

  it('spreads requests evenly across the pods', async () => {
    const t = await sendRequests(stack.url, 300);
    expect(t.failures).toEqual([]);
    expect(Object.keys(t.byPod).sort()).toEqual(['web-0', 'web-1', 'web-2']);
    for (const n of Object.values(t.byPod)) expect(Math.abs(n - 100)).toBeLessThanOrEqual(3);
  });

  it('drops a killed pod within the health-check window, and no client request fails', async () => {
    const loop = clientLoop(stack.url, 4);
    await eventually('client traffic', async () => (loop.tally.total > 200 ? true : undefined));
    const killedAt = Date.now();
    await stack.pods.get('web-1')!.kill();
    const down = await eventually('web-1 marked DOWN', async () => {
      const s = (await stack.servers()).find((x) => x.address.startsWith('127.0.1.2:'));
      return s && !s.status.startsWith('UP') ? s : undefined;
    });
    const detectionMs = Date.now() - killedAt;
    const afterDown = loop.tally.total;
    await eventually('more traffic after the pod went DOWN', async () => (loop.tally.total > afterDown + 200 ? true : undefined));
    const t = await loop.stop();
    expect(down.status).toMatch(/^DOWN/);
    expect(t.failures).toEqual([]);
    expect(share(t.byPod, 'web-0')).toBeGreaterThan(0);
    expect(share(t.byPod, 'web-2')).toBeGreaterThan(0);
    console.log(`killed pod marked DOWN after ${detectionMs} ms (checks: inter 1s, fall 2); ${t.total} requests, 0 failed`);
  });

  it('picks up a pod added to DNS', async () => {
    await stack.addPod('web', 'web-3', '127.0.1.4');
    await stack.waitUp(3);
    const t = await sendRequests(stack.url, 60);
    expect(t.failures).toEqual([]);
    expect(Object.keys(t.byPod).sort()).toEqual(['web-0', 'web-2', 'web-3']);
  });

  it('stops sending to a pod removed from DNS, though it still runs', async () => {
    stack.unpublish('web', 'web-0');
    await eventually('web-0 gone from the backend', async () => {
      const s = await stack.servers();
      return s.some((x) => x.address.startsWith('127.0.1.1:')) ? undefined : true;
    });
    const served = stack.pods.get('web-0')!.served();
    const t = await sendRequests(stack.url, 60);
    expect(t.failures).toEqual([]);
    expect(Object.keys(t.byPod).sort()).toEqual(['web-2', 'web-3']);
    expect(stack.pods.get('web-0')!.served()).toBe(served);
  });
});

describe('readiness follows the backend: Ready means a request is answered by an app', () => {
  let stack: StackUnderTest;
  beforeAll(async () => {
    stack = await startStack(webStack('ready', stackSpec({ apps: [{ name: 'web', image: 'x', replicas: 2 }] })), { web: [] });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('is not ready while no app pod is resolved, yet alive', async () => {
    expect((await get(`${stack.statsUrl}/healthz`)).status).toBe(503);
    expect((await get(`${stack.statsUrl}/livez`)).status).toBe(200);
  });

  it('answers the first request after it turns ready from an app pod', async () => {
    await stack.addPod('web', 'web-0', '127.0.6.1');
    await eventually('readiness 200', async () => (await get(`${stack.statsUrl}/healthz`)).status === 200, 30_000, 20);
    expect(await get(stack.url)).toEqual({ status: 200, body: 'web-0' });
  });

  it('turns not ready once every app pod is down, and stays alive', async () => {
    await stack.pods.get('web-0')!.kill();
    await eventually('readiness 503', async () => (await get(`${stack.statsUrl}/healthz`)).status === 503, 30_000);
    expect((await get(`${stack.statsUrl}/livez`)).status).toBe(200);
  });
});

describe('weights', () => {
  let stack: StackUnderTest;
  beforeAll(async () => {
    stack = await startStack(webStack('weights', stackSpec({
      apps: [{ name: 'heavy', image: 'x', replicas: 2, weight: 3 }, { name: 'light', image: 'x', replicas: 2, weight: 1 }],
    })), { heavy: ['127.0.2.1', '127.0.2.2'], light: ['127.0.2.3', '127.0.2.4'] });
    await stack.waitUp(4);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('uses the WebStack weights, not the SRV record\'s', async () => {
    const weights = (await stack.servers()).filter((s) => s.status.startsWith('UP')).map((s) => `${s.name}=${s.weight}`).sort();
    expect(weights).toEqual(['heavy-1=3', 'heavy-2=3', 'light-1=1', 'light-2=1']);
  });

  it('takes a weight at run time from the operator (token only): weight 0 sends a tier nothing within 5 s, same process', async () => {
    const pid = stack.haproxy.process.pid;
    const admin = new URL(stack.adminUrl);
    const pod = { metadata: { name: 'haproxy' }, status: { podIP: admin.hostname } };
    const send = (body: string, token: string) => setWeights([pod], body, token, Number(admin.port));
    expect((await send('light=0\n', 'x'.repeat(64)))[0].error).toBe('admin frontend answered HTTP 401');
    expect((await send('light=0\n', ''))[0].error).toBe('admin frontend answered HTTP 401');

    const setAt = Date.now();
    const [outcome] = await send('heavy=3\nlight=0\n', stack.adminToken);
    expect(outcome.error).toBeUndefined();
    expect(outcome.changed.sort()).toEqual(['light-1 1->0', 'light-2 1->0', 'light-3 1->0', 'light-4 1->0']);
    await eventually('no request to the light tier', async () => {
      const t = await sendRequests(stack.url, 40);
      return t.failures.length === 0 && share(t.byPod, 'light-') === 0;
    }, 5000, 50);
    const tookMs = Date.now() - setAt;
    const again = await send('heavy=3\nlight=0\n', stack.adminToken);
    expect(again[0].changed).toEqual([]);
    await send('heavy=3\nlight=1\n', stack.adminToken);
    expect(share((await sendRequests(stack.url, 40)).byPod, 'light-')).toBeGreaterThan(0);
    expect(stack.haproxy.process.pid).toBe(pid);
    expect(stack.haproxy.process.exitCode).toBeNull();
    console.log(`weight 0 took effect ${tookMs} ms after the request, in the same haproxy process`);
  });

  it('splits traffic 3:1 between a weight-3 tier and a weight-1 tier', async () => {
    const t = await sendRequests(stack.url, 400);
    expect(t.failures).toEqual([]);
    const heavy = share(t.byPod, 'heavy-') / t.total;
    expect(heavy).toBeGreaterThan(0.72);
    expect(heavy).toBeLessThan(0.78);
    // Within a tier, pods share equally.
    expect(Math.abs(t.byPod['heavy-0'] - t.byPod['heavy-1'])).toBeLessThanOrEqual(0.05 * t.total);
  });
});

describe('a backup tier', () => {
  let stack: StackUnderTest;
  beforeAll(async () => {
    stack = await startStack(webStack('backup', stackSpec({
      apps: [{ name: 'web', image: 'x', replicas: 2 }, { name: 'standby', image: 'x', replicas: 1, backup: true }],
    })), { web: ['127.0.3.1', '127.0.3.2'], standby: ['127.0.3.3'] });
    await stack.waitUp(3);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('gets nothing while an active pod is up', async () => {
    const t = await sendRequests(stack.url, 60);
    expect(t.failures).toEqual([]);
    expect(Object.keys(t.byPod).sort()).toEqual(['web-0', 'web-1']);
    await stack.pods.get('web-0')!.kill();
    await stack.waitUp(2);
    const afterOne = await sendRequests(stack.url, 60);
    expect(afterOne.failures).toEqual([]);
    expect(Object.keys(afterOne.byPod)).toEqual(['web-1']);
  });

  it('takes all traffic once every active pod is down', async () => {
    await stack.pods.get('web-1')!.kill();
    await stack.waitUp(1);
    const t = await sendRequests(stack.url, 60);
    expect(t.failures).toEqual([]);
    expect(t.byPod).toEqual({ 'standby-0': 60 });
  });

  it('hands traffic back when an active pod returns', async () => {
    await stack.addPod('web', 'web-2', '127.0.3.4');
    await stack.waitUp(2);
    const t = await sendRequests(stack.url, 60);
    expect(t.failures).toEqual([]);
    expect(t.byPod).toEqual({ 'web-2': 60 });
  });
});

describe('TLS termination from a Secret laid out as certificate + key file', () => {
  let stack: StackUnderTest;
  let dir: string;
  let ca: Buffer;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'haproxy-tls-'));
    const cert = writeSelfSignedCert(dir);
    ca = readFileSync(cert);
    stack = await startStack(webStack('tls', {
      loadBalancer: { tls: { secretName: 'tls', hstsMaxAgeSeconds: 1234 }, healthCheck: FAST_CHECKS },
      apps: [{ name: 'web', image: 'x', replicas: 1 }],
    }), { web: ['127.0.4.1'] }, { tlsCertPath: cert });
    await stack.waitUp(1);
  });
  afterAll(async () => {
    await stack?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('serves HTTPS with the certificate and an HSTS header', async () => {
    const reply = await new Promise<{ status: number; hsts: unknown; body: string }>((resolve, reject) => {
      https.get(stack.httpsUrl, { ca, servername: 'localhost', agent: false }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => { body += d.toString(); });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, hsts: res.headers['strict-transport-security'], body }));
      }).on('error', reject);
    });
    expect(reply).toEqual({ status: 200, hsts: 'max-age=1234', body: 'web-0' });
  });

  it('redirects plain HTTP to HTTPS with a 301', async () => {
    const reply = await new Promise<{ status: number; location: unknown }>((resolve, reject) => {
      http.get(stack.url, { agent: false }, (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, location: res.headers.location });
      }).on('error', reject);
    });
    expect(reply.status).toBe(301);
    expect(reply.location).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
  });
});

describe('a tier whose SRV answer needs EDNS0 (40 pods, about 3 KB)', () => {
  let stack: StackUnderTest;
  const hosts = Array.from({ length: 40 }, (_, i) => `127.0.5.${i + 1}`);
  beforeAll(async () => {
    stack = await startStack(webStack('big', stackSpec({ apps: [{ name: 'web', image: 'x', replicas: 40 }] })), { web: hosts });
    await stack.waitUp(40);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('resolves every pod over UDP and spreads requests over all of them', async () => {
    expect(stack.dns.stats.tcp).toBe(0);
    const t = await sendRequests(stack.url, 400);
    expect(t.failures).toEqual([]);
    expect(Object.keys(t.byPod)).toHaveLength(40);
    for (const n of Object.values(t.byPod)) expect(Math.abs(n - 10)).toBeLessThanOrEqual(2);
  });
});
