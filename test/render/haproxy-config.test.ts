import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { resolveSpec } from '../../src/api/defaults.js';
import { BALANCE_ALGORITHMS, type WebStack } from '../../src/api/types.js';
import {
  appSrvRecord, renderHaproxyConfig, serverSlots, type HaproxyConfigOptions,
} from '../../src/render/haproxy-config.js';
import {
  goldenExamples, minimal, tlsWeightedBackup, tlsWithoutRedirect, webStack, withAlgorithm,
} from '../support/haproxy-examples.js';
import { checkHaproxyConfig } from '../support/haproxy-process.js';
import { writeSelfSignedCert } from '../support/self-signed-cert.js';

const GOLDEN_DIR = path.resolve('test/render/golden');
const EXAMPLES_DIR = path.resolve('examples');

function render(ws: WebStack, options?: HaproxyConfigOptions): string {
  return renderHaproxyConfig({ name: ws.metadata.name, namespace: ws.metadata.namespace ?? 'default' }, resolveSpec(ws), options);
}

function lines(config: string, prefix: string): string[] {
  return config.split('\n').map((l) => l.trim()).filter((l) => l.startsWith(prefix));
}

/** WebStacks in examples/*.yaml, named `example-<file>` (plus `-<name>` when a file holds several). */
function exampleWebStacks(): [string, WebStack][] {
  if (!existsSync(EXAMPLES_DIR)) return [];
  return readdirSync(EXAMPLES_DIR).filter((f) => /\.ya?ml$/.test(f)).sort().flatMap((f) => {
    const stacks = parseAllDocuments(readFileSync(path.join(EXAMPLES_DIR, f), 'utf8'))
      .map((d) => d.toJS() as WebStack)
      .filter((o) => o?.kind === 'WebStack');
    const base = `example-${f.replace(/\.ya?ml$/, '')}`;
    return stacks.map((o): [string, WebStack] => [stacks.length === 1 ? base : `${base}-${o.metadata.name}`, o]);
  });
}

describe('renderHaproxyConfig', () => {
  it('renders one server-template per tier on its SRV record, with weight, slots and backup', () => {
    const cfg = render(tlsWeightedBackup);
    expect(lines(cfg, 'server-template')).toEqual([
      `server-template web- 6 _http._tcp.store-web.shop.svc.cluster.local resolvers cluster resolve-prefer ipv4 init-addr none resolve-opts allow-dup-ip,ignore-weight check inter 1s fall 2 rise 1 weight 150`,
      `server-template canary- 3 _http._tcp.store-canary.shop.svc.cluster.local resolvers cluster resolve-prefer ipv4 init-addr none resolve-opts allow-dup-ip,ignore-weight check inter 1s fall 2 rise 1 weight 50`,
      `server-template standby- 4 _http._tcp.store-standby.shop.svc.cluster.local resolvers cluster resolve-prefer ipv4 init-addr none resolve-opts allow-dup-ip,ignore-weight check inter 1s fall 2 rise 1 weight 100 backup`,
    ]);
    expect(lines(cfg, 'balance')).toEqual(['balance leastconn']);
    expect(lines(cfg, 'http-check send')).toEqual(['http-check send meth GET uri /ready']);
  });

  it('sizes template slots for replicas plus a rolling update\'s surge', () => {
    expect([0, 1, 2, 3, 10].map(serverSlots)).toEqual([2, 3, 4, 6, 20]);
    for (const r of [1, 2, 5, 50]) expect(serverSlots(r)).toBeGreaterThanOrEqual(r + Math.ceil(r * 0.25));
  });

  it('names the SRV record of the headless Service\'s named port in the cluster domain', () => {
    expect(appSrvRecord({ name: 'shop', namespace: 'prod' }, 'web', 'corp.internal')).toBe('_http._tcp.shop-web.prod.svc.corp.internal');
    expect(lines(render(minimal, { clusterDomain: 'corp.internal' }), 'server-template')[0]).toContain('_http._tcp.minimal-web.shop.svc.corp.internal ');
  });

  it('reads resolv.conf in a pod, and uses the given nameservers elsewhere', () => {
    expect(lines(render(minimal), 'parse-resolv-conf')).toHaveLength(1);
    const local = render(minimal, { nameservers: ['127.0.0.1:5353', '[::1]:53'] });
    expect(lines(local, 'nameserver')).toEqual(['nameserver ns1 127.0.0.1:5353', 'nameserver ns2 [::1]:53']);
    expect(lines(local, 'parse-resolv-conf')).toEqual([]);
    expect(lines(local, 'accepted_payload_size')).toEqual(['accepted_payload_size 8192']);
  });

  it('terminates TLS with a redirect and HSTS, or without the redirect when it is off', () => {
    const cfg = render(tlsWeightedBackup);
    expect(lines(cfg, 'bind')).toEqual([':8080', ':8443 ssl crt /etc/haproxy/certs/tls.pem alpn h2,http/1.1', ':8404', ':8405'].map((b) => `bind ${b}`));
    expect(lines(cfg, 'http-request redirect')).toEqual(['http-request redirect scheme https code 301 if !{ ssl_fc }']);
    expect(lines(cfg, 'http-response set-header Strict-Transport-Security')).toEqual(['http-response set-header Strict-Transport-Security "max-age=600" if { ssl_fc }']);
    const noRedirect = render(tlsWithoutRedirect);
    expect(lines(noRedirect, 'http-request redirect')).toEqual([]);
    expect(lines(noRedirect, 'http-response set-header Strict-Transport-Security')).toHaveLength(1);
    const plain = render(minimal);
    expect(plain).not.toMatch(/ssl crt|ssl_fc|Strict-Transport-Security|http-request redirect/);
  });

  it('binds the given address and ports for a local run', () => {
    const cfg = render(tlsWeightedBackup, { bindAddress: '127.0.0.1', ports: { http: 18080, https: 18443, stats: 18404, admin: 18405 }, tlsCertPath: '/x/c.pem', runtimeDir: '/run/x' });
    expect(lines(cfg, 'bind')).toEqual(['bind 127.0.0.1:18080', 'bind 127.0.0.1:18443 ssl crt /x/c.pem alpn h2,http/1.1', 'bind 127.0.0.1:18404', 'bind 127.0.0.1:18405']);
    expect(lines(cfg, 'stats socket')).toEqual(['stats socket /run/x/haproxy.sock mode 600 level operator']);
  });

  it('serves health, stats and, unless turned off, Prometheus metrics on the stats port', () => {
    const cfg = render(minimal);
    expect(lines(cfg, 'monitor-uri')).toEqual(['monitor-uri /healthz']);
    expect(lines(cfg, 'stats uri')).toEqual(['stats uri /stats']);
    expect(lines(cfg, 'http-request use-service prometheus-exporter')).toHaveLength(1);
    expect(lines(render(minimal, { prometheusExporter: false }), 'http-request use-service prometheus-exporter')).toEqual([]);
  });

  it('retries elsewhere on a failed connection, and replays only GET/HEAD/OPTIONS after a pod died mid-request', () => {
    const cfg = render(minimal);
    expect(lines(cfg, 'retries')).toEqual(['retries 3']);
    expect(lines(cfg, 'option redispatch')).toEqual(['option redispatch 1']);
    expect(lines(cfg, 'retry-on')).toEqual(['retry-on conn-failure empty-response']);
    expect(lines(cfg, 'http-request disable-l7-retry')).toEqual(['http-request disable-l7-retry unless METH_GET or METH_OPTIONS']);
  });

  it('takes resolver timings for tests that need fast DNS changes', () => {
    const cfg = render(minimal, { resolver: { resolveSeconds: 1, holdObsoleteSeconds: 2 } });
    expect(lines(cfg, 'hold valid')).toEqual(['hold valid 1s']);
    expect(lines(cfg, 'timeout resolve')).toEqual(['timeout resolve 1s']);
    expect(lines(cfg, 'hold obsolete')).toEqual(['hold obsolete 2s']);
    expect(lines(cfg, 'hold nx')).toEqual(['hold nx 30s']);
  });

  it('is a pure function of its input', () => {
    expect(render(tlsWeightedBackup)).toBe(render(structuredClone(tlsWeightedBackup)));
  });

  it.each([
    ['a newline in a health path', { apps: [{ name: 'web', image: 'x', healthPath: '/ok\n  server evil 1.2.3.4:80' }] }, /^spec\.apps\[0\]\.healthPath: /],
    ['a space in a health path', { loadBalancer: { healthCheck: { path: '/a b' } }, apps: [{ name: 'web', image: 'x' }] }, /^spec\.apps\[0\]\.healthPath: /],
    ['a relative health path', { apps: [{ name: 'web', image: 'x', healthPath: 'healthz' }] }, /^spec\.apps\[0\]\.healthPath: /],
    ['a tier name that is not a DNS label', { apps: [{ name: 'Web tier', image: 'x' }] }, /^spec\.apps\[0\]\.name: /],
  ])('refuses %s, naming the field', (_what, spec, error) => {
    expect(() => render(webStack('bad', spec as WebStack['spec']))).toThrow(error);
  });

  it('refuses a stack without tiers and a nameserver that is not ip:port', () => {
    expect(() => render(webStack('none', { apps: [] }))).toThrow(/^spec\.apps: /);
    expect(() => render(minimal, { nameservers: ['kube-dns'] })).toThrow(/^nameservers: kube-dns is not ip:port/);
  });
});

describe('rendered haproxy.cfg passes real haproxy -c with zero warnings', () => {
  let dir: string;
  let cert: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'haproxy-cfg-test-'));
    cert = writeSelfSignedCert(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const cases: [string, WebStack, HaproxyConfigOptions][] = [
    ['minimal, reading resolv.conf', minimal, {}],
    ['minimal, explicit nameserver, no Prometheus', minimal, { nameservers: ['127.0.0.1:5353'], prometheusExporter: false }],
    ['TLS + two weighted tiers + a backup tier', tlsWeightedBackup, { nameservers: ['127.0.0.1:5353'] }],
    ['TLS without redirect', tlsWithoutRedirect, {}],
    ...BALANCE_ALGORITHMS.map((a): [string, WebStack, HaproxyConfigOptions] => [`balance ${a}`, withAlgorithm(a), {}]),
  ];

  it.each(cases)('%s', async (_name, ws, options) => {
    const result = await checkHaproxyConfig(render(ws, { ...options, tlsCertPath: cert, runtimeDir: dir }));
    expect(result.output).not.toMatch(/WARNING|ALERT/);
    expect(result.ok).toBe(true);
  });

  it('and haproxy -c does fail on a broken config, so the check means something', async () => {
    const broken = render(minimal).replace('balance roundrobin', 'balance round-robin');
    const result = await checkHaproxyConfig(broken);
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/ALERT.*balance/);
  });

  it('examples/*.yaml', async () => {
    for (const [name, ws] of exampleWebStacks()) {
      const result = await checkHaproxyConfig(render(ws, { tlsCertPath: cert, runtimeDir: dir }));
      expect({ name, output: result.output, ok: result.ok }).toEqual({ name, output: expect.not.stringMatching(/WARNING|ALERT/), ok: true });
    }
  });
});

describe('golden haproxy.cfg (UPDATE_GOLDEN=1 rewrites them)', () => {
  const examples = [...Object.entries(goldenExamples), ...exampleWebStacks()];
  it.each(examples)('%s', (name, ws) => {
    const file = path.join(GOLDEN_DIR, `haproxy-${name}.cfg`);
    const cfg = render(ws);
    if (process.env.UPDATE_GOLDEN === '1') {
      mkdirSync(GOLDEN_DIR, { recursive: true });
      writeFileSync(file, cfg);
    }
    if (!existsSync(file)) throw new Error(`${file} is missing: run UPDATE_GOLDEN=1 npm test -- test/render/haproxy-config.test.ts and review it`);
    expect(cfg).toBe(readFileSync(file, 'utf8'));
  });
});
