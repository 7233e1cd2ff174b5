/**
 * Semi-sync crash recovery on real MariaDB: a primary SIGKILLed while a transaction sits in its
 * binlog waiting for a replica's acknowledgement (AFTER_SYNC: prepared in InnoDB, no client told)
 * must come back without it (MDEV-21117; since 10.6.19/10.11.9/11.4.3 triggered by
 * --init-rpl-role=SLAVE, MDEV-33465), so it can rejoin as a replica instead of being quarantined.
 */
import { expect, test } from '@jest/globals';
import { acksFrom, idsOn, waitHealthy, waitNewPrimary, writers, type Stack, stackPerFile } from './harness.js';
import { eventually } from '../support/eventually.js';

let stack: Stack;
stackPerFile((started) => { stack = started; });

async function gtidPositions(name: string): Promise<{ binlog: string; current: string }> {
  const [row] = await stack.cluster.query<{ binlog: string; current: string }>(name,
    'SELECT @@gtid_binlog_pos AS `binlog`, @@gtid_current_pos AS `current`');
  return row;
}

async function settle(old: string): Promise<'replica' | 'quarantined'> {
  const s = await eventually('the old primary to rejoin or be quarantined', async () => {
    const i = stack.manager.status().instances.find((x) => x.name === old);
    return i && (i.role === 'quarantined' || (i.role === 'replica' && i.ready)) ? i : undefined;
  }, 60_000);
  return s.role as 'replica' | 'quarantined';
}

test('SIGKILL under writes, three times: each old primary comes back without its unacknowledged write and rejoins', async () => {
  for (let round = 1; round <= 3; round++) {
    const ws = writers(stack, round);
    const old = stack.primary();
    ws.forEach((w) => w.start());
    let next: string;
    try {
      await acksFrom(ws, old, 0);
      const killedAt = Date.now();
      await stack.cluster.kill(old);
      next = await waitNewPrimary(stack, old);
      await acksFrom(ws, next, killedAt);
    } finally {
      await Promise.all(ws.map((w) => w.stop()));
    }
    await stack.cluster.restart(old);
    expect({ round, role: await settle(old) }).toEqual({ round, role: 'replica' });
    await waitHealthy(stack);
    await eventually('the old primary to catch up', async () => {
      const [a, b] = await Promise.all([gtidPositions(old), gtidPositions(next)]);
      return a.current === b.current;
    });
    const [onOld, onNew] = await Promise.all([idsOn(stack, old), idsOn(stack, next)]);
    expect(ws.flatMap((w) => w.acked).filter((a) => !onNew.has(a.id))).toEqual([]);
    expect([...onOld].sort()).toEqual([...onNew].sort());
  }
  expect(stack.events.events.filter((e) => e.reason === 'InstanceQuarantined')).toEqual([]);
}, 240_000);

test('a transaction in the binlog that no replica acknowledged is rolled back and cut from the binlog on restart', async () => {
  await stack.manager.stop();
  const primary = stack.primary();
  const replicas = stack.cluster.instances.map((i) => i.name).filter((n) => n !== primary);
  // No replica receives anything more: the next commit waits for an acknowledgement that never comes.
  await Promise.all(replicas.map((r) => stack.cluster.query(r, 'STOP SLAVE IO_THREAD')));
  const before = await gtidPositions(primary);
  const conn = await stack.cluster.connect(primary);
  conn.on('error', () => undefined);
  const pending = conn.query('INSERT INTO app.writes VALUES (-100, @@server_id)').catch((err: Error) => err);
  await eventually('the write to reach the binlog', async () => (await gtidPositions(primary)).binlog !== before.binlog);
  await stack.cluster.kill(primary);
  expect(await pending).toBeInstanceOf(Error);
  conn.destroy();

  await stack.cluster.restart(primary);
  expect(await gtidPositions(primary)).toEqual(before);
  expect((await idsOn(stack, primary)).has(-100)).toBe(false);
  expect(stack.cluster.get(primary).log.join('')).toMatch(/truncat/i);
}, 120_000);

test('a primary back before any failover, without a write a replica already holds, is replaced by that replica and rejoins', async () => {
  // The previous test left the manager stopped and the replicas' IO threads off; a new one heals that.
  let manager = stack.newManager();
  manager.start();
  await waitHealthy(stack, 60_000, manager);
  await manager.stop();
  const primary = stack.primary();
  const replicas = stack.cluster.instances.map((i) => i.name).filter((n) => n !== primary);
  // The replicas receive and apply the next write but never acknowledge it, so the primary never commits it.
  await Promise.all(replicas.map(async (r) => {
    for (const sql of ['STOP SLAVE IO_THREAD', 'SET GLOBAL rpl_semi_sync_slave_enabled = OFF', 'START SLAVE IO_THREAD']) await stack.cluster.query(r, sql);
  }));
  const conn = await stack.cluster.connect(primary);
  conn.on('error', () => undefined);
  const pending = conn.query('INSERT INTO app.writes VALUES (-200, @@server_id)').catch((err: Error) => err);
  await eventually('the replicas to apply the write', async () => {
    const on = await Promise.all(replicas.map((r) => idsOn(stack, r)));
    return on.every((ids) => ids.has(-200));
  });
  await stack.cluster.kill(primary);
  expect(await pending).toBeInstanceOf(Error);
  conn.destroy();
  await stack.cluster.restart(primary);
  expect((await idsOn(stack, primary)).has(-200)).toBe(false);

  manager = stack.newManager();
  manager.start();
  await eventually('a replica to take over', async () => stack.primary() !== primary, 30_000);
  await waitHealthy(stack, 60_000, manager);
  expect(manager.status().instances.find((i) => i.name === primary)).toMatchObject({ role: 'replica', ready: true });
  expect(stack.record.snapshot().quarantined ?? []).toEqual([]);
  const positions = await Promise.all(stack.cluster.instances.map((i) => gtidPositions(i.name)));
  expect(new Set(positions.map((p) => p.current)).size).toBe(1);
  for (const i of stack.cluster.instances) expect((await idsOn(stack, i.name)).has(-200)).toBe(true);
}, 180_000);
