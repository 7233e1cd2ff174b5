/**
 * End to end, on either control plane: `webstack-operator sandbox -f FILE` runs a WebStack on
 * this machine; real kubectl drives it. The stack becomes Ready, HAProxy round-robins over every app pod, edits (scale, algorithm,
 * removed tier) are followed, and deleting the WebStack ends every process and Service.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { startSandbox, type ControlPlane, type Sandbox } from './sandbox-process.js';
import { eventually } from '../support/eventually.js';
import { httpsLoop } from '../support/https-loop.js';
import { writeSelfSignedCert } from '../support/self-signed-cert.js';

const manifest = (apps: string, extra = '') => `
apiVersion: webstack.dev/v1alpha1
kind: WebStack
metadata:
  name: shop
spec:
  loadBalancer:
    replicas: 1
    healthCheck: {intervalSeconds: 1, rise: 1, fall: 2}
${extra}
  apps:
${apps}
  database:
    engine: mariadb
    replicas: 2
    failover: {failureThresholdSeconds: 2}
  networkPolicy: {enabled: false}
`;
/** HTTPS beside plain HTTP (no redirect), so the other scenarios keep using the http URL. */
const WITH_TLS = '    tls: {secretName: frontend-cert, redirectHttp: false}';

/** A certificate made by real openssl: the files, its SHA-256 fingerprint as openssl prints it, and the Secret. */
function certificate(dir: string, commonName: string): { cert: string; key: string; fingerprint: string; secretYaml: string } {
  const cert = writeSelfSignedCert(mkdtempSync(path.join(dir, `${commonName}-`)), commonName);
  const key = `${cert}.key`;
  const fingerprint = execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256', '-in', cert], { encoding: 'utf8' }).trim().replace(/^.*=/, '');
  const b64 = (f: string) => readFileSync(f).toString('base64');
  const secretYaml = `apiVersion: v1\nkind: Secret\nmetadata: {name: frontend-cert}\ntype: kubernetes.io/tls\ndata:\n  tls.crt: ${b64(cert)}\n  tls.key: ${b64(key)}\n---\n`;
  return { cert, key, fingerprint, secretYaml };
}

/** One HTTPS GET that accepts the self-signed certificate. */
function getInsecure(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https.get(url, { rejectUnauthorized: false, agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject).on('timeout', function (this: { destroy(e: Error): void }) { this.destroy(new Error('no answer within 5 s')); });
  });
}

const TWO_TIERS = `    - {name: web, image: ghcr.io/acme/shop:1.4, replicas: 3}
    - {name: api, image: ghcr.io/acme/api:1.0, replicas: 1}`;

export function describeStackLifecycle(controlPlane: ControlPlane): void {
  let sb: Sandbox;
  let url: string;
  let httpsUrl: URL;
  let firstAnswer: { status: number; body: string };
  let certDir: string;

  async function servedBy(n: number): Promise<string[]> {
    const pods: string[] = [];
    for (let i = 0; i < n; i++) {
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}`);
      pods.push(((await res.json()) as { pod: string }).pod);
    }
    return pods;
  }

  async function podNames(selector: string): Promise<string[]> {
    const out = await sb.kubectl('get', 'pods', '-l', selector, '-o', 'jsonpath={range .items[*]}{.metadata.name}{"\\n"}{end}');
    return out.split('\n').filter(Boolean).sort();
  }

  /** Waits until `n` requests in a row cycle through exactly the given pods, each once per cycle. */
  async function roundRobinOver(pods: string[]): Promise<string[]> {
    return eventually(`round robin over ${pods.join(', ')}`, async () => {
      const seen = await servedBy(pods.length * 2);
      const first = seen.slice(0, pods.length);
      return [...first].sort().join() === pods.join() && seen.slice(pods.length).join() === first.join() && seen;
    }, 90_000);
  }

  beforeAll(async () => {
    certDir = mkdtempSync(path.join(os.tmpdir(), 'e2e-tls-'));
    sb = await startSandbox(certificate(certDir, 'shop-one').secretYaml + manifest(TWO_TIERS, WITH_TLS), controlPlane);
    const printed = await eventually('the sandbox to print the stack URL', () => /shop is Ready: (https:\/\/\S+)/.exec(sb.output())?.[1], 400_000);
    // Asked at once: Ready means serving, so the first request is already an app's answer.
    firstAnswer = await getInsecure(printed);
    httpsUrl = new URL(printed);
    // Plain HTTP on the same address: port 80, or 8080 where 443 fell back to 8443 (the sandbox's rule for privileged ports).
    url = `http://${httpsUrl.hostname}:${httpsUrl.port === '8443' ? 8080 : 80}/`;
  }, 420_000);

  afterAll(async () => {
    expect(await sb?.stop()).toBe(0);
    if (certDir) rmSync(certDir, { recursive: true, force: true });
  }, 60_000);

  describe(`webstack-operator sandbox --control-plane ${controlPlane}`, () => {
    it('writes a kubeconfig that real kubectl uses, and the WebStack is Ready', async () => {
      expect(sb.output()).toContain(`kubectl --kubeconfig`);
      await sb.kubectl('wait', '--for=condition=Ready', 'webstack/shop', '--timeout=60s');
      const table = await sb.kubectl('get', 'ws');
      expect(table).toMatch(/^NAME\s+READY/);
      expect(table).toMatch(/shop\s+True/);
      // The Service's cluster IP, which answers on this host: 127.20/16 in memory, kube's 10.96/16 routed here on the real plane.
      expect(url).toMatch(/^http:\/\/(127\.20|10\.96)\.\d+\.\d+:\d+\/$/);
    });

    it('answers the first request after it printed Ready from an app pod', () => {
      expect(firstAnswer.status).toBe(200);
      expect(JSON.parse(firstAnswer.body)).toMatchObject({ pod: expect.stringMatching(/^shop-(web|api)-/) });
    });

    it('sends requests through HAProxy to every app pod, in round-robin order', async () => {
      const pods = await podNames('webstack.dev/stack=shop,app.kubernetes.io/component=app');
      expect(pods).toHaveLength(4);
      const seen = await roundRobinOver(pods);
      expect(new Set(seen).size).toBe(4);
    });

    it('sets a weight live: weight 0 sends a tier nothing within 5 s; HAProxy pods neither replaced nor restarted', async () => {
      const haproxyPods = () => sb.kubectl('get', 'pods', '-l', 'app.kubernetes.io/component=loadbalancer', '-o',
        'jsonpath={range .items[*]}{.metadata.uid} {.status.containerStatuses[0].restartCount}{"\\n"}{end}');
      const before = await haproxyPods();
      const weights = (api: number) => ['patch', 'ws', 'shop', '--type', 'merge', '-p', JSON.stringify({ spec: { apps: [
        { name: 'web', image: 'ghcr.io/acme/shop:1.4', replicas: 3 }, { name: 'api', image: 'ghcr.io/acme/api:1.0', replicas: 1, weight: api }] } })];
      await sb.kubectl(...weights(0));
      const setAt = Date.now();
      await eventually('no request to the api tier', async () => (await servedBy(8)).every((p) => p.startsWith('shop-web-')), 5000, 100);
      const tookMs = Date.now() - setAt;
      await sb.kubectl(...weights(100));
      await eventually('the api tier served again', async () => (await servedBy(8)).some((p) => p.startsWith('shop-api-')), 5000, 100);
      expect(await haproxyPods()).toBe(before);
      expect(await sb.kubectl('get', 'events', '--field-selector', 'reason=WeightsApplied', '-o', 'jsonpath={.items[*].message}')).toMatch(/weights web=100, api=0 set in shop-haproxy-/);
      console.log(`weight 0 took effect ${tookMs} ms after kubectl patch, no HAProxy pod replaced or restarted`);
    });

    it('serves a renewed TLS Secret within 30 s, with no failed request while clients loop', async () => {
      const renewed = certificate(certDir, 'shop-two');
      const host = httpsUrl.hostname;
      const httpsPort = Number(httpsUrl.port || 443);
      const before = await podNames('app.kubernetes.io/component=loadbalancer');
      const loop = httpsLoop(host, httpsPort);
      await eventually('HTTPS answers', () => loop.answers.length > 20, 30_000);
      const secretFile = path.join(certDir, 'renewed.yaml');
      writeFileSync(secretFile, await sb.kubectl('create', 'secret', 'tls', 'frontend-cert', `--cert=${renewed.cert}`, `--key=${renewed.key}`, '--dry-run=client', '-o', 'yaml'));
      const renewedAt = Date.now();
      await sb.kubectl('apply', '-f', secretFile);
      await eventually('every old haproxy pod gone', async () => {
        const now = await podNames('app.kubernetes.io/component=loadbalancer');
        return now.length === before.length && now.every((p) => !before.includes(p));
      }, 120_000, 500);
      const rolledAt = Date.now();
      await eventually('more answers after the rollout', () => loop.answers.some((a) => a.at > rolledAt + 1000), 30_000);
      await loop.stop();
      expect(loop.failures).toEqual([]);
      const lastOld = Math.max(renewedAt, ...loop.answers.filter((a) => a.fingerprint !== renewed.fingerprint).map((a) => a.at));
      expect(loop.answers.filter((a) => a.at > rolledAt).every((a) => a.fingerprint === renewed.fingerprint)).toBe(true);
      expect(lastOld - renewedAt).toBeLessThan(30_000);
      const served = execFileSync('openssl', ['s_client', '-connect', `${host}:${httpsPort}`], { input: '', encoding: 'utf8', stdio: ['pipe', 'pipe', 'ignore'] });
      expect(served).toMatch(/subject=CN ?= ?shop-two/);
      console.log(`renewed certificate served by every haproxy pod ${lastOld - renewedAt} ms after the Secret changed; ${loop.answers.length} HTTPS requests, 0 failed`);
    }, 180_000);

    it('kubectl logs shows what a pod wrote', async () => {
      const [pod] = await podNames('webstack.dev/tier=web');
      expect(await sb.kubectl('logs', pod, '--tail=50')).toMatch(/listening/i);
    });

    it('scales an app tier and the database', async () => {
      await sb.kubectl('patch', 'ws', 'shop', '--type', 'merge', '-p', JSON.stringify({
        spec: { apps: [{ name: 'web', image: 'ghcr.io/acme/shop:1.4', replicas: 4 }, { name: 'api', image: 'ghcr.io/acme/api:1.0', replicas: 1 }], database: { replicas: 3 } },
      }));
      await eventually('3 Ready database pods', async () => (await sb.kubectl('get', 'sts', 'shop-mysql', '-o', 'jsonpath={.status.readyReplicas}')) === '3', 180_000);
      const pods = await eventually('5 app pods', async () => { const p = await podNames('app.kubernetes.io/component=app'); return p.length === 5 && p; });
      await sb.kubectl('wait', '--for=condition=Ready', 'pod', ...pods, '--timeout=120s');
      await roundRobinOver(pods);
      expect((await podNames('app.kubernetes.io/component=database'))).toEqual(['shop-mysql-0', 'shop-mysql-1', 'shop-mysql-2']);
    });

    it('changes the balance algorithm: haproxy rolls onto the new config', async () => {
      const before = await podNames('app.kubernetes.io/component=loadbalancer');
      await sb.kubectl('patch', 'ws', 'shop', '--type', 'merge', '-p', JSON.stringify({ spec: { loadBalancer: { algorithm: 'first' } } }));
      await eventually('the haproxy config with balance first', async () => (await sb.kubectl('get', 'configmap', 'shop-haproxy', '-o', 'jsonpath={.data.haproxy\\.cfg}')).includes('balance first'));
      const after = await eventually('a new, Ready haproxy pod in place of the old one', async () => {
        const p = await podNames('app.kubernetes.io/component=loadbalancer');
        if (p.length !== 1 || p[0] === before[0]) return undefined;
        return (await sb.kubectl('get', 'pod', p[0], '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}')) === 'True' && p;
      }, 180_000);
      expect(after).not.toEqual(before);
      // `first` sends everything to the first server with free slots: one pod serves every request.
      const seen = await eventually('every request on one pod', async () => { const s = await servedBy(6); return new Set(s).size === 1 && s; }, 60_000);
      expect(seen).toHaveLength(6);
    });

    it('removes an app tier: its Deployment and processes go', async () => {
      const apiPods = await podNames('webstack.dev/tier=api');
      expect(apiPods).toHaveLength(1);
      await sb.kubectl('patch', 'ws', 'shop', '--type', 'merge', '-p', JSON.stringify({ spec: { apps: [{ name: 'web', image: 'ghcr.io/acme/shop:1.4', replicas: 4 }] } }));
      await eventually('the api Deployment gone', async () => (await sb.kubectl('get', 'deploy', '-o', 'name')).trim() === 'deployment.apps/shop-haproxy\ndeployment.apps/shop-web');
      await eventually('the api pods gone', async () => (await podNames('webstack.dev/tier=api')).length === 0);
    });

    it('kill, stop and cont act on a running pod through the CLI, found without -n', async () => {
      const [pod] = await podNames('webstack.dev/tier=web');
      expect(await sb.cli('stop', pod)).toContain(`SIGSTOP sent to default/${pod}`);
      expect(await sb.cli('cont', pod)).toContain(`SIGCONT sent to default/${pod}`);
      expect(await sb.cli('kill', pod, '--down-for', '1s')).toContain(`SIGKILL sent to default/${pod} (1 process group); it restarts in 1s`);
      await eventually('the killed pod restarted', async () => (await sb.kubectl('get', 'pod', pod, '-o', 'jsonpath={.status.containerStatuses[0].restartCount}')) === '1');
      await Promise.all([
        expect(sb.cli('kill', 'no-such-pod')).rejects.toThrow(/pod no-such-pod does not exist in this sandbox/),
        expect(sb.cli('stop', pod, '-n', 'blog')).rejects.toThrow(`pod ${pod} does not exist in namespace blog; it runs in namespace default: use -n default`),
      ]);
    }, 120_000);

    it('deleting the WebStack ends every process and Service', async () => {
      // The stack's pods only: on the real control plane the operator runs in pods too.
      const uids = (await sb.kubectl('get', 'pods', '-l', 'webstack.dev/stack=shop', '-o', 'jsonpath={.items[*].metadata.uid}')).split(' ').filter(Boolean);
      expect(sb.podProcesses(uids).length).toBeGreaterThan(0);
      await sb.kubectl('delete', 'ws', 'shop', '--wait', '--timeout=120s');
      await eventually('nothing of the stack left: workloads, pods, Services, config, Secrets, claims', async () => {
        const left = await sb.kubectl('get', 'deploy,rs,sts,pods,svc,endpoints,cm,secret,pvc,pdb,networkpolicy', '-o', 'name');
        return left.split('\n').filter((n) => n.includes('/shop')).length === 0;
      }, 120_000);
      await eventually('no process of the stack\'s pods left', () => sb.podProcesses(uids).length === 0, 60_000);
    }, 240_000);
  });
}
