/**
 * End to end with the database: the demo app writes through the primary Service and reads through
 * the replicas Service; killing the primary database pod under write load makes the operator fail
 * over, the primary Service follows, writes resume and no acknowledged write is lost.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSandbox, type ControlPlane, type Sandbox } from './sandbox-process.js';
import { DATABASE_STACK } from './stacks.js';
import { lostWrites, rowIdsOn, WriteLoad } from './write-load.js';
import { eventually } from '../support/eventually.js';
import mysql from 'mysql2/promise';
import { EXPORTER_USER, SECRET_KEYS } from '../../src/render/credentials.js';
import { EXPORTER_PORT } from '../../src/render/mysqld-exporter.js';

/** The value of a sample in Prometheus text, or undefined when the metric is absent. */
function sample(metrics: string, name: string): string | undefined {
  return new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(metrics)?.[1];
}

export function describeDatabaseFailover(controlPlane: ControlPlane): void {
  let sb: Sandbox;
  let url: string;

  async function jsonpath(...args: string[]): Promise<string> {
    return sb.kubectl(...args.slice(0, -1), '-o', `jsonpath=${args[args.length - 1]}`);
  }

  const decode = async (secret: string, key: string) => Buffer.from(await jsonpath('get', 'secret', secret, `{.data.${key.replace('.', '\\.')}}`), 'base64').toString('utf8');

  async function adminCredentials(): Promise<{ user: string; password: string; ca: string }> {
    return { user: await decode('shop-mysql', 'admin-user'), password: await decode('shop-mysql', 'admin-password'), ca: await decode('shop-mysql-ca', 'ca.crt') };
  }

  describe(`webstack-operator sandbox --control-plane ${controlPlane} with the database`, () => {
    beforeAll(async () => {
      sb = await startSandbox(DATABASE_STACK, controlPlane);
      url = await eventually('the stack URL', () => /shop is Ready: (http:\/\/\S+)/.exec(sb.output())?.[1], 400_000);
    }, 420_000);

    afterAll(async () => {
      expect(await sb?.stop()).toBe(0);
    }, 60_000);

    it('writes through the primary Service and reads through the replicas Service', async () => {
      const primary = await eventually('a recorded primary', async () => (await jsonpath('get', 'ws', 'shop', '{.status.database.primary}')) || undefined, 180_000);
      const ordinal = Number(primary.split('-').pop());
      const write = await eventually('a write through the app', async () => {
        const res = await fetch(`${url}write`, { method: 'POST' });
        return res.status === 201 && (await res.json()) as { server: { serverId: number | string } };
      }, 120_000);
      expect(Number(write.server.serverId)).toBe(100 + ordinal);
      const read = await eventually('a read through the app', async () => {
        const res = await fetch(`${url}read`);
        return res.status === 200 && (await res.json()) as { server: { serverId: number | string } };
      });
      expect(Number(read.server.serverId)).not.toBe(100 + ordinal);
    }, 420_000);

    // The exporter dials the server over TCP, where the server requires TLS: mysql_up 1 is a verified TLS login.
    it('runs mysqld-exporter in every database pod: mysql_up 1, replica status on a replica, an account that cannot write', async () => {
      const primary = await eventually('a recorded primary', async () => (await jsonpath('get', 'ws', 'shop', '{.status.database.primary}')) || undefined, 180_000);
      const replica = ['shop-mysql-0', 'shop-mysql-1', 'shop-mysql-2'].find((p) => p !== primary)!;
      const ipOf = (pod: string) => jsonpath('get', 'pod', pod, '{.status.podIP}');
      const metricsOf = async (pod: string) => {
        const res = await fetch(`http://${await ipOf(pod)}:${EXPORTER_PORT}/metrics`, { signal: AbortSignal.timeout(10_000) });
        return res.status === 200 ? res.text() : undefined;
      };
      const onPrimary = await eventually('the primary\'s exporter logged in', async () => { const m = await metricsOf(primary); return m && sample(m, 'mysql_up') === '1' && m; }, 120_000);
      expect(sample(onPrimary, 'mysql_slave_status_slave_io_running')).toBeUndefined();
      const onReplica = await eventually('a replica\'s exporter showing replication', async () => {
        const m = await metricsOf(replica);
        return m && sample(m, 'mysql_slave_status_slave_io_running') === '1' && sample(m, 'mysql_slave_status_slave_sql_running') === '1' && m;
      }, 120_000);
      expect(sample(onReplica, 'mysql_up')).toBe('1');
      expect(Number(sample(onReplica, 'mysql_slave_status_seconds_behind_master'))).toBeGreaterThanOrEqual(0);

      const conn = await mysql.createConnection({ host: await ipOf(primary), port: 3306, user: EXPORTER_USER, password: await decode('shop-mysql', SECRET_KEYS.exporterPassword),
        connectTimeout: 5000, ssl: { ca: await decode('shop-mysql-ca', 'ca.crt'), rejectUnauthorized: true } });
      try {
        await expect(conn.query('INSERT INTO app.visits (pod) VALUES (?)', ['exporter'])).rejects.toMatchObject({ code: 'ER_TABLEACCESS_DENIED_ERROR' });
      } finally {
        await conn.end();
      }
    }, 300_000);

    /** Kills the recorded primary under writes through the app; `meanwhile` runs once a new primary is recorded. */
    async function failoverUnderWrites(meanwhile: () => Promise<void> = async () => undefined): Promise<void> {
      const primary = await eventually('every instance ready and a recorded primary', async () => {
        const ready = await jsonpath('get', 'sts', 'shop-mysql', '{.status.readyReplicas}');
        const p = await jsonpath('get', 'ws', 'shop', '{.status.database.primary}');
        return ready === '3' && p ? p : undefined;
      }, 300_000);
      const load = new WriteLoad(url);
      await eventually('writes flowing', () => load.acknowledged().length >= 20, 120_000);
      const killedAt = Date.now();
      // Down until the failover is done (a pod whose restart is backed off), then brought back below.
      expect(await sb.cli('kill', primary, '--down-for', '10m')).toContain('SIGKILL');
      const next = await eventually('a new primary recorded', async () => {
        const p = await jsonpath('get', 'ws', 'shop', '{.status.database.primary}');
        return p && p !== primary && p;
      }, 120_000);
      await meanwhile();
      await eventually('writes resumed', () => load.successAfter(killedAt + 100) !== undefined, 180_000);
      await new Promise((r) => setTimeout(r, 1000));
      await load.stop();
      await eventually('the failover recorded', async () => (await jsonpath('get', 'ws', 'shop', '{.status.database.lastFailover.to}')) === next, 120_000);
      // Deleted, its StatefulSet starts it again on its volume: back now rather than when its hold runs out.
      await sb.kubectl('delete', 'pod', primary, '--grace-period=1');
      expect(await jsonpath('get', 'pod', next, '{.metadata.labels.webstack\\.dev/role}')).toBe('primary');
      const ip = await jsonpath('get', 'pod', next, '{.status.podIP}');
      const rows = await rowIdsOn(ip, await adminCredentials(), 'app');
      expect(lostWrites(load.acknowledged(), rows)).toEqual([]);
    }

    it('fails over when the primary pod is killed under write load, losing no acknowledged write', async () => {
      await failoverUnderWrites();
    }, 400_000);

    /** The longest gap between writes acknowledged through the app after `since`. */
    function longestPause(load: WriteLoad, since: number): number {
      const oks = load.records.filter((r) => r.at >= since && r.ok);
      return Math.max(0, ...oks.slice(1).map((r, i) => r.at - oks[i].at));
    }

    /** Runs `change` under writes through the app until `done`; the writes' longest pause, the last handover and the writes lost. */
    async function underWrites(change: () => Promise<void>, done: (since: number) => Promise<boolean>) {
      const load = new WriteLoad(url);
      await eventually('writes flowing', () => load.acknowledged().length >= 20, 120_000);
      const since = Date.now();
      await change();
      await eventually('the change carried out', () => done(since), 400_000, 1000);
      const settled = Date.now();
      await eventually('writes through the new primary', () => load.successAfter(settled) !== undefined, 60_000);
      await load.stop();
      const last = JSON.parse(await jsonpath('get', 'ws', 'shop', '{.status.database.lastFailover}')) as { kind: string; durationMs: number; to: string };
      const ip = await jsonpath('get', 'pod', last.to, '{.status.podIP}');
      return { pause: longestPause(load, since), last, lost: lostWrites(load.acknowledged(), await rowIdsOn(ip, await adminCredentials(), 'app')) };
    }

    it('rolls a change of the database resources by switchover under writes through the app: no failover, writes pause no longer than a switchover', async () => {
      const failovers = async () => (await jsonpath('get', 'events', '{.items[?(@.reason=="FailoverCompleted")].count}')).split(' ').filter(Boolean).map(Number).reduce((a, b) => a + b, 0);
      await eventually('every instance ready and a recorded primary', async () =>
        (await jsonpath('get', 'sts', 'shop-mysql', '{.status.readyReplicas}')) === '3' && !!(await jsonpath('get', 'ws', 'shop', '{.status.database.primary}')), 300_000);
      const handedOverSince = async (since: number) => Date.parse(await jsonpath('get', 'ws', 'shop', '{.status.database.lastFailover.startedAt}')) >= since - 1000;

      // What a planned switchover costs the app: the yardstick.
      const from = await jsonpath('get', 'ws', 'shop', '{.status.database.primary}');
      const to = ['shop-mysql-0', 'shop-mysql-1', 'shop-mysql-2'].find((p) => p !== from)!;
      const planned = await underWrites(
        async () => { await sb.kubectl('patch', 'ws', 'shop', '--type', 'merge', '-p', `{"spec":{"database":{"primary":"${to}"}}}`); },
        async (since) => (await jsonpath('get', 'ws', 'shop', '{.status.database.primary}')) === to && handedOverSince(since));
      expect(planned.lost).toEqual([]);
      await sb.kubectl('patch', 'ws', 'shop', '--type', 'merge', '-p', '{"spec":{"database":{"primary":""}}}');

      const before = await failovers();
      const rolling = await underWrites(
        async () => { await sb.kubectl('patch', 'ws', 'shop', '--type', 'merge', '-p', '{"spec":{"database":{"resources":{"requests":{"memory":"300Mi"}}}}}'); },
        async (since) => {
          const update = await jsonpath('get', 'sts', 'shop-mysql', '{.status.updateRevision}');
          const revisions = (await jsonpath('get', 'pods', '-l', 'app.kubernetes.io/component=database', '{.items[*].metadata.labels.controller-revision-hash}')).split(' ');
          const ready = await jsonpath('get', 'sts', 'shop-mysql', '{.status.readyReplicas}');
          return revisions.length === 3 && revisions.every((r) => r === update) && ready === '3' && handedOverSince(since);
        });
      console.log(JSON.stringify({ controlPlane, rollingWritePauseMs: rolling.pause, switchoverWritePauseMs: planned.pause }));
      expect(rolling.last.kind).toBe('switchover');
      expect(await failovers()).toBe(before);
      expect(rolling.lost).toEqual([]);
      // One switchover's pause (with a second of slack for timing noise): the replica rolls cost the app nothing.
      expect(rolling.pause).toBeLessThanOrEqual(planned.pause + 1000);
    }, 800_000);

    if (controlPlane === 'kube') {
      it('resumes a failover when the leading operator pod is killed in the middle of it', async () => {
        await failoverUnderWrites(async () => {
          const leader = await sb.kubectl('get', 'lease', '-n', 'webstack-system', 'webstack-operator-leader', '-o', 'jsonpath={.spec.holderIdentity}');
          expect(await sb.cli('kill', leader, '-n', 'webstack-system', '--down-for', '0')).toContain('SIGKILL');
        });
      }, 400_000);
    }
  });
}
