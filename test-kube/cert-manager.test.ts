/**
 * A real cert-manager (its controller built from source by scripts/cert-manager-build.sh, run on
 * this host against the real API server, without its webhook and without leader election) issues
 * a stack's HAProxy certificate: a SelfSigned Issuer makes a CA that a CA Issuer signs with, the
 * WebStack names that Issuer in loadBalancer.tls.issuerRef, the operator (installed by its chart)
 * requests the Certificate, cert-manager writes the Secret, the stack goes Ready and HAProxy serves
 * the certificate, verified against the CA. A renewal, triggered as `cmctl renew` does, reaches
 * HAProxy while clients loop over HTTPS, and none of their requests fails. A second stack names the
 * CA Issuer in database.tls.issuerRef: its MariaDB primary serves cert-manager's certificate to a
 * client verifying it with cert-manager's CA, the replica replicates over TLS verified by that CA,
 * and the app writes and reads through it.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import mysql from 'mysql2/promise';
import { names } from '../src/api/labels.js';
import { SECRET_KEYS } from '../src/render/credentials.js';
import { installOperator, OPERATOR_NAMESPACE, OPERATOR_RELEASE } from '../src/sandbox/kube-plane.js';
import { eventually } from '../test/support/eventually.js';
import { httpsLoop } from '../test/support/https-loop.js';
import { startTestCluster, type TestCluster } from './support/cluster.js';

const HOST = 'shop.example.com';
const ISSUERS = [
  { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: 'selfsigned', namespace: 'default' }, spec: { selfSigned: {} } },
  {
    apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'webstack-ca', namespace: 'default' },
    spec: {
      isCA: true, commonName: 'webstack test CA', secretName: 'webstack-ca', privateKey: { algorithm: 'ECDSA', size: 256 },
      issuerRef: { name: 'selfsigned', kind: 'Issuer', group: 'cert-manager.io' },
    },
  },
  { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: 'webstack-ca', namespace: 'default' }, spec: { ca: { secretName: 'webstack-ca' } } },
];
const STACK = {
  apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStack', metadata: { name: 'shop', namespace: 'default' },
  spec: {
    apps: [{ name: 'web', image: 'ghcr.io/acme/shop:1.4', replicas: 1 }],
    database: { engine: 'mariadb', replicas: 1, replication: { mode: 'async' } },
    loadBalancer: {
      replicas: 2, healthCheck: { intervalSeconds: 1, rise: 1, fall: 2 },
      tls: { secretName: 'shop-tls', redirectHttp: false, issuerRef: { name: 'webstack-ca' } },
      gateway: { parentRefs: [{ name: 'edge' }], hostnames: [HOST] },
    },
    networkPolicy: { enabled: false },
  },
};

const LEDGER = {
  apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStack', metadata: { name: 'ledger', namespace: 'default' },
  spec: {
    apps: [{ name: 'web', image: 'ghcr.io/acme/shop:1.4', replicas: 1 }],
    database: { engine: 'mariadb', replicas: 2, replication: { mode: 'async' }, tls: { issuerRef: { name: 'webstack-ca' } } },
    loadBalancer: { replicas: 1, healthCheck: { intervalSeconds: 1, rise: 1, fall: 2 } },
    networkPolicy: { enabled: false },
  },
};

let c: TestCluster;
let certManager: ChildProcess | undefined;
let certManagerLog = '';

function kubectlOk(args: string[], input?: string): Promise<string> {
  return c.kubectl(args, input).then((r) => {
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  });
}

async function secretPem(name: string, key: string): Promise<string | undefined> {
  const got = await c.kubectl(['get', 'secret', name, '-o', `jsonpath={.data.${key.replace('.', '\\.')}}`]);
  return got.code === 0 && got.stdout ? Buffer.from(got.stdout, 'base64').toString('utf8') : undefined;
}

const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256;

/**
 * What to look at when a renewal does not reach HAProxy: the HAProxy Deployment's template
 * annotations and rollout, its ReplicaSets and pods, the stack's Events and the operator's log tail.
 */
async function renewalState(): Promise<string> {
  const out = async (title: string, args: string[]) => `--- ${title}\n${(await c.kubectl(args)).stdout}`;
  return (await Promise.all([
    out('HAProxy Deployment', ['get', 'deployment', names.haproxy('shop'), '-o',
      'jsonpath={.spec.template.metadata.annotations} {.metadata.generation}/{.status.observedGeneration} {.status}']),
    out('ReplicaSets and pods', ['get', 'replicasets,pods', '-o', 'wide']),
    out('Events', ['get', 'events', '--sort-by=.lastTimestamp']),
    out('operator log', ['logs', '-n', OPERATOR_NAMESPACE, `deployment/${OPERATOR_RELEASE}`, '--tail=150']),
  ])).join('\n');
}

beforeAll(async () => {
  const script = (name: string) => execFileSync('bash', [`scripts/${name}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
  const certManagerDir = script('cert-manager-build.sh');
  const officialCrds = script('official-crds.sh');
  c = await startTestCluster();
  await installOperator(c.kubeconfig);
  await kubectlOk(['apply', '--server-side', '-f', path.join(certManagerDir, 'crds')]);
  // The stack is published through a Gateway, with TLS passed through to HAProxy: a TLSRoute.
  await kubectlOk(['apply', '--server-side', '-f', path.join(officialCrds, 'gateway-api-gateway.networking.k8s.io_tlsroutes.yaml')]);
  certManager = spawn(path.join(certManagerDir, 'controller'), ['--kubeconfig', c.kubeconfig], { stdio: ['ignore', 'ignore', 'pipe'] });
  certManager.stderr!.on('data', (d: Buffer) => { certManagerLog = (certManagerLog + d.toString()).slice(-20_000); });
}, 600_000);

afterAll(async () => {
  if (certManager && certManager.exitCode === null) {
    const exited = new Promise((resolve) => certManager!.once('exit', resolve));
    certManager.kill('SIGTERM');
    await exited;
  }
  await c?.close();
}, 120_000);

describe('a stack whose HAProxy certificate a real cert-manager issues and renews', () => {
  it('cert-manager runs without its webhook and makes a CA: SelfSigned Issuer, CA Certificate, CA Issuer Ready', async () => {
    await kubectlOk(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: ISSUERS }));
    const wait = await c.kubectl(['wait', '--for=condition=Ready', 'issuer/webstack-ca', 'certificate.cert-manager.io/webstack-ca', '--timeout=120s']);
    expect({ wait, exitCode: certManager!.exitCode, log: wait.code === 0 ? '' : certManagerLog }).toMatchObject({ wait: { code: 0 }, exitCode: null });
    const ca = new X509Certificate((await secretPem('webstack-ca', 'tls.crt'))!);
    expect(ca.ca).toBe(true);
    expect(ca.subject).toBe('CN=webstack test CA');
  }, 180_000);

  let served: { ip: string; port: number; ca: string };

  it('issuerRef: cert-manager issues the Certificate the operator requests, the stack goes Ready and HAProxy serves it', async () => {
    const appliedAt = Date.now();
    await kubectlOk(['apply', '-f', '-'], JSON.stringify(STACK));
    await eventually('the Secret cert-manager writes', () => secretPem('shop-tls', 'tls.crt'), 120_000, 250);
    const issuedAt = Date.now();
    expect(await c.kubectl(['wait', '--for=condition=Ready', 'webstack/shop', '--timeout=300s'])).toMatchObject({ code: 0 });
    const address = await eventually('the HAProxy Service address on this host', () => {
      const a = c.runtime.serviceAddress('default', names.haproxy('shop'));
      return a?.ports[443] ? { ip: a.ip, port: a.ports[443] } : undefined;
    }, 60_000);
    const ca = (await secretPem('shop-tls', 'ca.crt'))!;
    expect(ca).toBe(await secretPem('webstack-ca', 'tls.crt'));
    served = { ...address, ca };
    const loop = httpsLoop(address.ip, address.port, { ca, servername: HOST, concurrency: 1 });
    try {
      await eventually('an HTTPS answer verified against the CA', () => loop.answers.length > 0, 120_000);
    } finally {
      // Stopped whatever happens: a loop left running keeps jest from exiting after a failure.
      await loop.stop();
    }
    const servedAt = loop.answers[0].at;
    const leaf = new X509Certificate((await secretPem('shop-tls', 'tls.crt'))!);
    expect(loop.answers[0].fingerprint).toBe(leaf.fingerprint256);
    expect(leaf.subjectAltName).toBe(`DNS:${HOST}`);
    expect(leaf.checkIssued(new X509Certificate(ca))).toBe(true);
    const certificate = JSON.parse(await kubectlOk(['get', 'certificate.cert-manager.io', names.haproxy('shop'), '-o', 'json'])) as {
      metadata: { ownerReferences: { kind: string; name: string }[] }; status: { conditions: { type: string; status: string }[] };
    };
    expect(certificate.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'WebStack', name: 'shop' })]);
    expect(certificate.status.conditions).toContainEqual(expect.objectContaining({ type: 'Ready', status: 'True' }));
    console.log(`cert-manager issued the stack's certificate ${issuedAt - appliedAt} ms after kubectl apply; HAProxy served it, verified, ${servedAt - appliedAt} ms after apply`);
  }, 480_000);

  it('a renewal (as cmctl renew triggers it) reaches HAProxy with no failed request while clients loop', async () => {
    const before = fingerprint((await secretPem('shop-tls', 'tls.crt'))!);
    const loop = httpsLoop(served.ip, served.port, { ca: served.ca, servername: HOST });
    let triggeredAt: number | undefined;
    let renewed: string | false | undefined;
    let renewedAt: number | undefined;
    let firstNew: (typeof loop.answers)[number] | undefined;
    try {
      await eventually('clients answered', () => loop.answers.length > 20, 30_000);
      const generation = (await kubectlOk(['get', 'certificate.cert-manager.io', names.haproxy('shop'), '-o', 'jsonpath={.metadata.generation}'])).trim();
      const issuing = {
        type: 'Issuing', status: 'True', reason: 'ManuallyTriggered', message: 'Certificate re-issuance manually triggered',
        lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), observedGeneration: Number(generation),
      };
      triggeredAt = Date.now();
      await kubectlOk(['patch', 'certificate.cert-manager.io', names.haproxy('shop'), '--subresource=status', '--type=json',
        '-p', JSON.stringify([{ op: 'add', path: '/status/conditions/-', value: issuing }])]);
      renewed = await eventually('a new certificate in the Secret', async () => {
        const pem = await secretPem('shop-tls', 'tls.crt');
        return pem && fingerprint(pem) !== before && fingerprint(pem);
      }, 120_000, 100);
      renewedAt = Date.now();
      firstNew = await eventually('the renewed certificate served', () => loop.answers.find((a) => a.fingerprint === renewed), 120_000, 100)
        .catch(async (err: unknown) => { throw new Error(`${(err as Error).message}\n${await renewalState()}`, { cause: err }); });
      // Every HAProxy pod serves it: only new answers for a while.
      await eventually('only the renewed certificate served', () => {
        const recent = loop.answers.filter((a) => a.at > Date.now() - 2000);
        return recent.length > 10 && recent.every((a) => a.fingerprint === renewed);
      }, 180_000, 250);
    } finally {
      // Stopped whatever happens: a loop left running keeps jest from exiting after a failure.
      await loop.stop();
    }
    expect(loop.failures).toEqual([]);
    const lastOld = Math.max(...loop.answers.filter((a) => a.fingerprint !== renewed).map((a) => a.at));
    console.log(`renewal: cert-manager wrote the new certificate ${renewedAt! - triggeredAt!} ms after the trigger; first served ${firstNew!.at - renewedAt!} ms, ` +
      `the old one last served ${lastOld - renewedAt!} ms after the Secret changed; ${loop.answers.length} verified HTTPS requests, ${loop.failures.length} failed`);
    expect(await c.kubectl(['delete', 'webstack', 'shop', '--wait', '--timeout=120s'])).toMatchObject({ code: 0 });
  }, 480_000);

  it('database.tls.issuerRef: the servers serve cert-manager\'s certificate, the replica and the app verify it with its CA', async () => {
    const appliedAt = Date.now();
    await kubectlOk(['apply', '-f', '-'], JSON.stringify(LEDGER));
    expect(await c.kubectl(['wait', '--for=condition=Ready', 'webstack/ledger', '--timeout=300s'])).toMatchObject({ code: 0 });
    const readyAt = Date.now();
    const ca = (await secretPem('ledger-mysql-tls', 'ca.crt'))!;
    expect(ca).toBe(await secretPem('webstack-ca', 'tls.crt'));
    expect((await c.kubectl(['get', 'secret', 'ledger-mysql-ca', '-o', 'name'])).code).not.toBe(0);
    const leaf = new X509Certificate((await secretPem('ledger-mysql-tls', 'tls.crt'))!);
    expect(leaf.checkIssued(new X509Certificate(ca))).toBe(true);

    // What the primary serves, through the primary Service, to a client that verifies the chain against cert-manager's CA.
    const primary = await eventually('the primary Service on this host', () => {
      const a = c.runtime.serviceAddress('default', names.primaryService('ledger'));
      return a?.ports[3306] ? { host: a.ip, port: a.ports[3306] } : undefined;
    }, 60_000);
    const appPassword = Buffer.from(await kubectlOk(['get', 'secret', names.mysqlSecret('ledger'), '-o', `jsonpath={.data.${SECRET_KEYS.appPassword}}`]), 'base64').toString('utf8');
    const servedLeaf = await eventually('a TLS connection to the primary, verified', async () => {
      const conn = await mysql.createConnection({ ...primary, user: 'app', password: appPassword, connectTimeout: 5000, ssl: { ca, rejectUnauthorized: true } });
      try {
        return (conn as unknown as { connection: { stream: TLSSocket } }).connection.stream.getPeerCertificate().fingerprint256;
      } finally {
        await conn.end();
      }
    }, 60_000, 500);
    expect(servedLeaf).toBe(leaf.fingerprint256);

    // The app verifies the primary's name with DATABASE_SSL_CA (cert-manager's ca.crt); the read comes from the replica.
    const lb = await eventually('the HAProxy Service on this host', () => {
      const a = c.runtime.serviceAddress('default', names.haproxy('ledger'));
      return a?.ports[80] ? `http://${a.ip}:${a.ports[80]}` : undefined;
    }, 60_000);
    const write = await eventually('a write through the app', async () => {
      const res = await fetch(`${lb}/write`, { method: 'POST', signal: AbortSignal.timeout(5000) });
      return res.status === 201 && await res.json() as { id: number };
    }, 120_000, 500);
    // The replicas Service selects the replica alone: the row came to it over replication verified by the same CA.
    await eventually('the write read back from the replica', async () => {
      const res = await fetch(`${lb}/read`, { signal: AbortSignal.timeout(5000) });
      return res.status === 200 && (await res.json() as { lastId: number | null }).lastId === write.id;
    }, 120_000, 500);
    console.log(`database certificates from cert-manager: stack Ready ${readyAt - appliedAt} ms after kubectl apply; a write verified over TLS read back from the replica`);
    expect(await c.kubectl(['delete', 'webstack', 'ledger', '--wait', '--timeout=120s'])).toMatchObject({ code: 0 });
  }, 480_000);
});
