/**
 * Every file in examples/ on the real control plane with the operator installed by its chart:
 * each WebStack becomes Ready and serves through its HAProxy Service, applied as written (TLS,
 * weights, a backup tier, a storage class, source ranges; every example names engine mariadb).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { names } from '../src/api/labels.js';
import type { WebStack } from '../src/api/types.js';
import { installOperator } from '../src/sandbox/kube-plane.js';
import { eventually } from '../test/support/eventually.js';
import { httpGet } from '../test/support/http-get.js';
import { writeSelfSignedCert } from '../test/support/self-signed-cert.js';
import { startTestCluster, type TestCluster } from './support/cluster.js';

let c: TestCluster;

const examples = readdirSync('examples').filter((f) => f.endsWith('.yaml')).sort();

beforeAll(async () => {
  c = await startTestCluster();
  await installOperator(c.kubeconfig);
}, 400_000);

afterAll(async () => {
  await c?.close();
}, 120_000);

describe('examples/ on the real control plane', () => {
  it.each(examples)('%s becomes Ready and serves through HAProxy', async (file) => {
    const ws = parseAllDocuments(readFileSync(`examples/${file}`, 'utf8')).map((d) => d.toJS() as WebStack).find((o) => o?.kind === 'WebStack')!;
    const ns = ws.metadata.namespace ?? 'default';
    ws.metadata.namespace = ns;
    await c.kubectl(['create', 'namespace', ns]);
    let ca: string | undefined;
    const secret = ws.spec.loadBalancer?.tls?.secretName;
    if (secret) {
      const cert = writeSelfSignedCert(mkdtempSync(path.join(os.tmpdir(), 'example-tls-')));
      ca = readFileSync(cert, 'utf8');
      expect((await c.kubectl(['create', 'secret', 'tls', secret, '-n', ns, `--cert=${cert}`, `--key=${cert}.key`])).code).toBe(0);
    }
    expect(await c.kubectl(['apply', '-f', '-'], JSON.stringify(ws))).toMatchObject({ code: 0 });
    const wait = await c.kubectl(['wait', '-n', ns, '--for=condition=Ready', `webstack/${ws.metadata.name}`, '--timeout=300s']);
    expect(wait).toMatchObject({ code: 0 });
    const address = await eventually('the load balancer address on this host', () => {
      const a = c.runtime.serviceAddress(ns, names.haproxy(ws.metadata.name));
      return a && Object.keys(a.ports).length > 0 ? a : undefined;
    }, 60_000);
    // The address kubectl shows is the one that answers on this host (the runtime routes kube's Service range here).
    const shown = await c.kubectl(['get', 'service', '-n', ns, names.haproxy(ws.metadata.name), '-o', 'jsonpath={.spec.clusterIP}']);
    expect(shown.stdout.trim()).toBe(address.ip);
    const port = secret ? address.ports[443] : address.ports[ws.spec.loadBalancer?.service?.port ?? 80];
    const url = `${secret ? 'https' : 'http'}://${address.ip}:${port}/`;
    const served = await eventually(`an app pod answering ${url}`, async () => {
      const res = await httpGet(url, ca);
      return res.status === 200 && (JSON.parse(res.body) as { pod: string });
    }, 120_000);
    expect(served.pod).toMatch(new RegExp(`^${ws.metadata.name}-`));
    expect(await c.kubectl(['delete', 'webstack', '-n', ns, ws.metadata.name, '--wait', '--timeout=120s'])).toMatchObject({ code: 0 });
  }, 600_000);
});
