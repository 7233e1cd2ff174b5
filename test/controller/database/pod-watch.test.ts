/** The pod watch stops promptly even when it could never list the pods (RBAC forbids it, say): shutdown is not held up. */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { KubeConfig } from '@kubernetes/client-node';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { PodWatch } from '../../../src/controller/database/pod-watch.js';
import { KubeClient } from '../../../src/kube/client.js';
import { systemClock } from '../../../src/clock.js';
import { createLogger } from '../../../src/log.js';

let server: Server;
let requests = 0;
let kc: KubeConfig;

beforeAll(async () => {
  server = createServer((_req, res) => {
    requests++;
    res.statusCode = 403;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Forbidden', code: 403,
      message: 'pods is forbidden: User "system:serviceaccount:webstack-system:webstack-operator" cannot list resource "pods"' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
    users: [{ name: 'u' }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x',
  });
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

test('pods it may not list: ready() waits, and stop() ends the wait at once', async () => {
  const lines: string[] = [];
  const log = createLogger({ format: 'json', stream: new Writable({ write: (chunk, _e, cb) => { lines.push(String(chunk)); cb(); } }) });
  const client = new KubeClient(kc);
  const watch = new PodWatch(kc, client, ['shop'], systemClock, log);
  let ready = false;
  const readied = watch.ready().then(() => { ready = true; });
  await new Promise((r) => setTimeout(r, 300));
  expect(ready).toBe(false);
  expect(requests).toBeGreaterThan(0);
  expect(lines.some((l) => l.includes('watch failed, restarting'))).toBe(true);
  await watch.stop();
  await readied;
  const after = requests;
  await new Promise((r) => setTimeout(r, 1200));
  expect(requests).toBe(after);
  client.close();
});
