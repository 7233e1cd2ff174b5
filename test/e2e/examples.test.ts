/**
 * Every file in examples/ runs in the sandbox as written: `sandbox -f examples/` brings each
 * WebStack to Ready (the TLS example with the self-signed Secret the sandbox generates) and each
 * URL it prints is answered by an app pod of that stack. test-kube/examples.test.ts does the same
 * on the real control plane.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { eventually } from '../support/eventually.js';
import { httpGet } from '../support/http-get.js';
import { startSandbox, type Sandbox } from './sandbox-process.js';

const stacks = readdirSync('examples').filter((f) => f.endsWith('.yaml')).sort()
  .flatMap((f) => parseAllDocuments(readFileSync(`examples/${f}`, 'utf8')).map((d) => d.toJS() as { kind: string; metadata: { name: string } }))
  .filter((o) => o?.kind === 'WebStack').map((o) => o.metadata.name);

let sb: Sandbox;

beforeAll(async () => {
  sb = await startSandbox({ path: 'examples' });
}, 200_000);

afterAll(async () => {
  expect(await sb?.stop()).toBe(0);
}, 60_000);

describe('examples/ in the sandbox', () => {
  it('holds the stacks this test expects', () => {
    expect(stacks).toEqual(['blog', 'shop', 'store']);
  });

  it('generates the TLS Secret the TLS example names, and says so', async () => {
    await eventually('the Secret generated', () => /secret\/store-tls generated: .* self-signed certificate/.test(sb.output()), 120_000);
  });

  it.each(stacks)('%s becomes Ready and its URL is answered by one of its app pods', async (name) => {
    const url = await eventually(`${name} Ready`, () => new RegExp(`\\n${name} is Ready: (https?://\\S+)`).exec(sb.output())?.[1], 300_000);
    const res = await httpGet(url);
    expect(res.status).toBe(200);
    expect((JSON.parse(res.body) as { pod: string }).pod).toMatch(new RegExp(`^${name}-`));
  }, 320_000);

  it('shows Service addresses in kubectl get svc that answer on this host', async () => {
    const url = new URL(await eventually('shop Ready', () => /\nshop is Ready: (\S+)/.exec(sb.output())?.[1], 300_000));
    const clusterIp = await sb.kubectl('get', 'svc', 'shop-haproxy', '-o', 'jsonpath={.spec.clusterIP}');
    // The URL the sandbox prints (the port is 80, or 8080 when not root) is on the cluster IP.
    expect(url.hostname).toBe(clusterIp);
    expect(clusterIp).toMatch(/^127\.20\./);
    expect(await sb.kubectl('get', 'svc', 'shop-haproxy', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}')).toBe(clusterIp);
  }, 320_000);
});
