/**
 * The operator's database managers end to end: the in-memory API server, the sandbox runtime running
 * the stack's database pods as real mariadbd processes, and the operator with its database managers. A primary
 * is chosen and recorded; labels move the primary Service; SIGKILL of the primary fails over; a new
 * operator carries on from the status and fails over again.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import mysql from 'mysql2/promise';
import { ANNOTATION_FENCED_INSTANCES, LABEL_COMPONENT, LABEL_ROLE, names } from '../../../src/api/labels.js';
import type { WebStack } from '../../../src/api/types.js';
import { resourceFor, WEBSTACK } from '../../../src/controller/resources.js';
import { credentialsFromSecretData } from '../../../src/render/credentials.js';
import { CA_SECRET_KEYS } from '../../../src/pki/database-certificates.js';

import { startDatabaseEnv, type DatabaseEnv } from './harness.js';
import { eventually } from '../../support/eventually.js';

const NS = 'shop';
const POD = resourceFor('v1', 'Pod');
const SECRET = resourceFor('v1', 'Secret');
const EVENT = resourceFor('v1', 'Event');
let env: DatabaseEnv;

const stack: WebStack = {
  apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStack', metadata: { name: 'shop', namespace: NS },
  spec: {
    // Quick HAProxy checks: the stack is Ready soon after its database and app pods are.
    loadBalancer: { replicas: 1, healthCheck: { intervalSeconds: 1, rise: 1, fall: 2 } },
    apps: [{ name: 'web', image: 'ghcr.io/acme/shop:1.4', replicas: 1 }],
    database: { engine: 'mariadb', replicas: 3, failover: { failureThresholdSeconds: 1 } },
    networkPolicy: { enabled: false },
  },
};

async function ws(): Promise<WebStack> {
  return (await env.client.get<WebStack>(WEBSTACK, NS, 'shop'))!;
}

async function roles(): Promise<Record<string, string | undefined>> {
  const { items } = await env.client.list<{ metadata: { name: string; labels?: Record<string, string> } }>(POD, NS, `${LABEL_COMPONENT}=database`);
  return Object.fromEntries(items.map((p) => [p.metadata.name, p.metadata.labels?.[LABEL_ROLE]]));
}

/** @@server_id of whatever answers on the primary Service: 100 + the pod's ordinal. */
async function serverIdBehindPrimaryService(): Promise<number> {
  const addr = env.runtime.serviceAddress(NS, names.primaryService('shop'));
  if (!addr || Object.keys(addr.ports).length === 0) throw new Error('primary Service has no address yet');
  const secret = await env.client.get<{ data?: Record<string, string> }>(SECRET, NS, names.mysqlSecret('shop'));
  const c = credentialsFromSecretData(secret!.data);
  const caSecret = await env.client.get<{ data: Record<string, string> }>(SECRET, NS, names.mysqlCaSecret('shop'));
  const ca = Buffer.from(caSecret!.data[CA_SECRET_KEYS.certificate], 'base64').toString('utf8');
  const conn = await mysql.createConnection({ host: addr.ip, port: Object.values(addr.ports)[0], user: c.adminUser, password: c.adminPassword,
    connectTimeout: 2000, ssl: { ca, rejectUnauthorized: true } });
  try {
    const [rows] = await conn.query('SELECT @@server_id AS id, @@read_only AS ro');
    const row = (rows as { id: number; ro: number }[])[0];
    if (row.ro) throw new Error('the primary Service reaches a read-only server');
    return Number(row.id);
  } finally {
    await conn.end();
  }
}

function ordinal(pod: string): number {
  return Number(pod.split('-').pop());
}

async function expectPrimaryServes(primary: string): Promise<void> {
  await eventually(`labels follow ${primary}`, async () => {
    const r = await roles();
    return Object.keys(r).length === 3 && Object.entries(r).every(([n, role]) => role === (n === primary ? 'primary' : 'replica'));
  }, 60_000);
  await eventually(`the primary Service reaches ${primary}`, async () => (await serverIdBehindPrimaryService()) === 100 + ordinal(primary), 60_000);
}

async function failoverFrom(primary: string): Promise<string> {
  // Held down past the failure threshold, as a pod whose restart is backed off: a primary that
  // comes back within the threshold is rightly kept.
  expect(env.holdDown(primary)).toBeGreaterThan(0);
  const next = await eventually('a new primary recorded', async () => {
    const p = (await ws()).status?.database?.primary;
    return p && p !== primary ? p : undefined;
  }, 90_000);
  // The new primary is recorded before it is promoted; the failover's summary once it is done.
  const last = await eventually('the failover recorded', async () => {
    const lf = (await ws()).status?.database?.lastFailover;
    return lf?.to === next ? lf : undefined;
  });
  expect(last).toEqual(expect.objectContaining({ from: primary, to: next, kind: 'failover' }));
  await env.bringBack(primary);
  await expectPrimaryServes(next);
  await eventually('a FailoverCompleted Event', async () => {
    const { items } = await env.client.list<{ reason: string; message: string; involvedObject: { name: string } }>(EVENT, NS);
    return items.some((e) => e.reason === 'FailoverCompleted' && e.involvedObject.name === 'shop' && e.message.startsWith(`${next} promoted in place of ${primary}`));
  });
  return next;
}

beforeAll(async () => {
  env = await startDatabaseEnv(NS);
  await env.startOperator('operator-a');
}, 60_000);

afterAll(async () => {
  await env?.close();
}, 60_000);

describe('the database managers in the operator', () => {
  let primary = '';

  it('bootstraps: a primary is recorded, labels set, the primary Service reaches it, Ready once the database is', async () => {
    await env.client.create(WEBSTACK, NS, stack);
    const status = await eventually('a bootstrapped database and Ready', async () => {
      const s = (await ws()).status;
      const ready = s?.conditions?.find((c) => c.type === 'Ready');
      return s?.database?.bootstrapped && s.database.primary && ready?.status === 'True' ? s : undefined;
    }, 150_000);
    primary = status.database!.primary!;
    expect(status.conditions!.find((c) => c.type === 'DatabaseReady')).toEqual(expect.objectContaining({ status: 'True', reason: 'PrimaryWritable' }));
    await expectPrimaryServes(primary);
    const instances = await eventually('every instance ready in status', async () => {
      const list = (await ws()).status?.database?.instances ?? [];
      return list.length === 3 && list.every((i) => i.ready) ? list : undefined;
    }, 60_000);
    expect(instances.map((i) => [i.name, i.role])).toEqual([0, 1, 2].map((n) => [names.mysqlPod('shop', n), names.mysqlPod('shop', n) === primary ? 'primary' : 'replica']));
  }, 240_000);

  it('fails over when the primary is SIGKILLed: status, labels, Service, Event and metric follow', async () => {
    primary = await failoverFrom(primary);
    const metrics = await env.operator!.metrics.registry.getSingleMetricAsString('webstack_database_failovers_total');
    expect(metrics).toContain('webstack_database_failovers_total{namespace="shop",name="shop"} 1');
  }, 180_000);

  it('a restarted operator carries on from the status: same primary, and it fails over again', async () => {
    const before = (await ws()).status!.database!;
    await env.stopOperator();
    await env.startOperator('operator-b');
    // Give the new manager several ticks to disagree with the record, if it would.
    await eventually('the old primary back as a replica', async () => {
      const list = (await ws()).status?.database?.instances ?? [];
      return list.length === 3 && list.every((i) => i.ready);
    }, 120_000);
    const after = (await ws()).status!.database!;
    expect(after.primary).toBe(before.primary);
    expect(after.lastFailover).toEqual(before.lastFailover);
    primary = await failoverFrom(primary);
  }, 300_000);

  it('a new spec.database.primary reaches the running manager: a planned switchover', async () => {
    const target = [0, 1, 2].map((n) => names.mysqlPod('shop', n)).find((n) => n !== primary)!;
    await eventually('every instance ready before the switchover', async () => {
      const list = (await ws()).status?.database?.instances ?? [];
      return list.length === 3 && list.every((i) => i.ready);
    }, 120_000);
    await env.client.mergePatch(WEBSTACK, NS, 'shop', { spec: { database: { primary: target } } });
    const last = await eventually('the switchover recorded', async () => {
      const db = (await ws()).status?.database;
      return db?.primary === target && db.lastFailover?.to === target ? db.lastFailover : undefined;
    }, 90_000);
    expect(last).toEqual(expect.objectContaining({ kind: 'switchover', from: primary }));
    await expectPrimaryServes(target);
    primary = target;
  }, 240_000);

  it('a fenced replica (the WebStack annotation kubectl webstack fence writes) leaves the replicas Service until unfenced', async () => {
    const fenced = [0, 1, 2].map((n) => names.mysqlPod('shop', n)).find((n) => n !== primary)!;
    await env.client.mergePatch(WEBSTACK, NS, 'shop', { metadata: { annotations: { [ANNOTATION_FENCED_INSTANCES]: fenced } } });
    await eventually(`${fenced} labelled fenced`, async () => (await roles())[fenced] === 'fenced', 30_000);
    const db = await eventually('the status saying so', async () => {
      const s = (await ws()).status;
      const degraded = s?.conditions?.find((c) => c.type === 'DatabaseDegraded');
      return degraded?.reason === 'InstanceFenced' && s;
    }, 30_000);
    expect(db.database!.instances!.find((i) => i.name === fenced)).toMatchObject({ role: 'fenced', ready: false });
    expect(db.database!.primary).toBe(primary);
    await env.client.mergePatch(WEBSTACK, NS, 'shop', { metadata: { annotations: { [ANNOTATION_FENCED_INSTANCES]: null } } });
    await eventually(`${fenced} back among the replicas`, async () => (await roles())[fenced] === 'replica', 30_000);
  }, 90_000);

  it('a hung primary (SIGSTOP) is failed over; resumed, its pod is deleted with grace 0 and comes back as a replica', async () => {
    const old = primary;
    // No requested primary, or the manager would switch back to it once it rejoins.
    await env.client.mergePatch(WEBSTACK, NS, 'shop', { spec: { database: { primary: null } } });
    await eventually('every instance ready before the hang', async () => {
      const list = (await ws()).status?.database?.instances ?? [];
      return list.length === 3 && list.every((i) => i.ready);
    }, 120_000);
    const uid = (await env.client.get<{ metadata: { uid: string } }>(POD, NS, old))!.metadata.uid;
    expect(env.runtime.signalPod(NS, old, 'SIGSTOP')).toBeGreaterThan(0);
    let next: string;
    try {
      next = await eventually('a new primary recorded', async () => {
        const p = (await ws()).status?.database?.primary;
        return p && p !== old ? p : undefined;
      }, 90_000);
    } finally {
      env.runtime.signalPod(NS, old, 'SIGCONT');
    }
    await eventually('an InstanceFenced Event for the hard restart', async () => {
      const { items } = await env.client.list<{ reason: string; message: string }>(EVENT, NS);
      return items.some((e) => e.reason === 'InstanceFenced' && e.message.startsWith(`${old} `) && e.message.includes('restarted hard'));
    }, 60_000);
    await eventually('the old primary\'s pod replaced', async () => {
      const pod = await env.client.get<{ metadata: { uid: string } }>(POD, NS, old);
      return !!pod && pod.metadata.uid !== uid;
    }, 60_000);
    await eventually('the old primary back as a replica', async () => {
      const db = (await ws()).status?.database;
      return (db?.instances ?? []).length === 3 && db!.instances!.every((i) => i.ready && i.role !== 'quarantined');
    }, 120_000);
    await expectPrimaryServes(next);
    primary = next;
  }, 300_000);

  it('never puts the database passwords in a log line, an Event or the status', async () => {
    const secret = await env.client.get<{ data?: Record<string, string> }>(SECRET, NS, names.mysqlSecret('shop'));
    const c = credentialsFromSecretData(secret!.data);
    const events = (await env.client.list<{ message: string }>(EVENT, NS)).items.map((e) => e.message);
    expect(events.length).toBeGreaterThan(0);
    const text = [...env.logs.lines, ...events, JSON.stringify((await ws()).status)].join('\n');
    for (const p of [c.adminPassword, c.replicationPassword, c.appPassword]) expect(text).not.toContain(p);
  });

  it('scaling below the primary switches over to an instance that stays first, then scales (issue 12)', async () => {
    const sts = resourceFor('apps/v1', 'StatefulSet');
    const allReady = async (count: number) => {
      const list = (await ws()).status?.database?.instances ?? [];
      return list.length === count && list.every((i) => i.ready);
    };
    await eventually('every instance ready', () => allReady(3), 120_000);
    await env.client.mergePatch(WEBSTACK, NS, 'shop', { spec: { database: { primary: names.mysqlPod('shop', 2) } } });
    await eventually('shop-mysql-2 is the primary', async () => {
      const db = (await ws()).status?.database;
      return db?.primary === names.mysqlPod('shop', 2) && db.lastFailover?.to === db.primary;
    }, 90_000);
    await eventually('every instance ready again', () => allReady(3), 120_000);
    await env.client.mergePatch(WEBSTACK, NS, 'shop', { spec: { database: { primary: null, replicas: 2 } } });
    const next = await eventually('a switchover away from shop-mysql-2', async () => {
      const db = (await ws()).status?.database;
      return db?.primary && ordinal(db.primary) < 2 && db.lastFailover?.kind === 'switchover' && db.lastFailover.from === names.mysqlPod('shop', 2)
        ? db.primary : undefined;
    }, 90_000);
    await eventually('the StatefulSet scaled to 2', async () => (await env.client.get<{ spec: { replicas: number } }>(sts, NS, 'shop-mysql'))?.spec.replicas === 2, 60_000);
    await eventually('two database pods left', async () => Object.keys(await roles()).length === 2, 60_000);
    await eventually(`the primary Service reaches ${next}`, async () => (await serverIdBehindPrimaryService()) === 100 + ordinal(next), 60_000);
    expect(['PrimaryMissing']).not.toContain((await ws()).status?.conditions?.find((c) => c.type === 'DatabaseReady')?.reason);
    primary = next;
  }, 300_000);

  it('stops the stack\'s manager when the WebStack is deleted', async () => {
    // The first operator's shutdown stopped its manager too: count the stops from here.
    const stops = () => env.logs.lines.filter((l) => l.includes('"database manager stopped"')).length;
    const before = stops();
    await env.client.delete(WEBSTACK, NS, 'shop');
    await eventually('the manager stopped', () => stops() > before, 60_000);
  }, 90_000);
});
