/**
 * End to end with the database: the demo app writes through the primary Service and reads through
 * the replicas Service; killing the primary database pod under write load makes the operator fail
 * over, the primary Service follows, writes resume and no acknowledged write is lost.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSandbox, type Sandbox } from './sandbox-process.js';
import { DATABASE_STACK } from './stacks.js';
import { lostWrites, rowIdsOn, WriteLoad } from './write-load.js';
import { eventually } from '../support/eventually.js';

let sb: Sandbox;
let url: string;

async function jsonpath(...args: string[]): Promise<string> {
  return sb.kubectl(...args.slice(0, -1), '-o', `jsonpath=${args[args.length - 1]}`);
}

async function adminCredentials(): Promise<{ user: string; password: string }> {
  const decode = async (key: string) => Buffer.from(await jsonpath('get', 'secret', 'shop-mysql', `{.data.${key}}`), 'base64').toString('utf8');
  return { user: await decode('admin-user'), password: await decode('admin-password') };
}

describe('webstack-operator sandbox with the database', () => {
  beforeAll(async () => {
    sb = await startSandbox(DATABASE_STACK);
    url = await eventually('the stack URL', () => /shop is Ready: (http:\/\/\S+)/.exec(sb.output())?.[1], 200_000);
  }, 240_000);

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
  }, 240_000);

  it('fails over when the primary pod is killed under write load, losing no acknowledged write', async () => {
    const primary = await jsonpath('get', 'ws', 'shop', '{.status.database.primary}');
    const load = new WriteLoad(url);
    await eventually('writes flowing', () => load.acknowledged().length >= 20);
    const killedAt = Date.now();
    expect(await sb.cli('kill', primary)).toContain('SIGKILL');
    const next = await eventually('a new primary recorded', async () => {
      const p = await jsonpath('get', 'ws', 'shop', '{.status.database.primary}');
      return p && p !== primary && p;
    }, 120_000);
    await eventually('writes resumed', () => load.successAfter(killedAt + 100) !== undefined, 120_000);
    await new Promise((r) => setTimeout(r, 1000));
    await load.stop();
    await eventually('the failover recorded', async () => (await jsonpath('get', 'ws', 'shop', '{.status.database.lastFailover.to}')) === next);
    expect(await jsonpath('get', 'pod', next, '{.metadata.labels.webstack\\.dev/role}')).toBe('primary');
    const ip = await jsonpath('get', 'pod', next, '{.status.podIP}');
    const rows = await rowIdsOn(ip, await adminCredentials(), 'app');
    expect(lostWrites(load.acknowledged(), rows)).toEqual([]);
  }, 300_000);
});
