/**
 * A kubeconfig's server may carry a path (a proxy in front of several clusters, such as
 * https://rancher.example/k8s/clusters/c-1): every request's path goes after it, with or without a
 * trailing slash, and its query string is kept.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { KubeConfig } from '@kubernetes/client-node';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeClient } from '../../src/kube/client.js';
import { resourceFor } from '../../src/controller/resources.js';

let server: Server;
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'shop' } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

function clientAt(path: string): KubeClient {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`, skipTLSVerify: true }],
    users: [{ name: 'u' }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x',
  });
  return new KubeClient(kc);
}

describe('KubeClient against a server URL with a path', () => {
  it.each([['', ''], ['/k8s/clusters/c-1', '/k8s/clusters/c-1'], ['/k8s/clusters/c-1/', '/k8s/clusters/c-1']])('server path %j', async (path, prefix) => {
    seen.length = 0;
    const client = clientAt(path);
    try {
      const cm = resourceFor('v1', 'ConfigMap');
      await client.get(cm, 'shop', 'c');
      await client.apply(cm, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'shop' } }, 'webstack-operator');
      expect(seen).toEqual([`GET ${prefix}/api/v1/namespaces/shop/configmaps/c`,
        `PATCH ${prefix}/api/v1/namespaces/shop/configmaps/c?fieldManager=webstack-operator&force=true`]);
    } finally {
      client.close();
    }
  });
});
