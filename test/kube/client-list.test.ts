/**
 * A real API server lists a built-in kind's items without apiVersion and kind; the client puts
 * them back (the operator keys cached objects by them: an operator restarted beside existing
 * stacks failed to start on the real control plane before).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { KubeConfig } from '@kubernetes/client-node';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeClient } from '../../src/kube/client.js';
import { resourceFor } from '../../src/controller/resources.js';

let server: Server;
let client: KubeClient;

beforeAll(async () => {
  server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({
      kind: 'SecretList', apiVersion: 'v1', metadata: { resourceVersion: '7' },
      items: [{ metadata: { name: 'a', namespace: 'shop' } }, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'b', namespace: 'shop' } }],
    }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
    users: [{ name: 'u' }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x',
  });
  client = new KubeClient(kc);
});

afterAll(async () => {
  client.close();
  await new Promise((resolve) => server.close(resolve));
});

describe('KubeClient.list', () => {
  it('gives every item the apiVersion and kind of the listed type', async () => {
    const listed = await client.list<{ apiVersion: string; kind: string; metadata: { name: string } }>(resourceFor('v1', 'Secret'), 'shop');
    expect(listed.items.map((o) => [o.apiVersion, o.kind, o.metadata.name])).toEqual([['v1', 'Secret', 'a'], ['v1', 'Secret', 'b']]);
    expect(listed.metadata.resourceVersion).toBe('7');
  });
});
