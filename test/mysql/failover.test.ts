/** Crash failover on real MariaDB: SIGKILL the primary under continuous writes, twice in a row. */
import { expect, test } from '@jest/globals';

import { idsOn, readOnly, serverId, waitForAcksFrom, waitHealthy, waitNewPrimary, writableInstances, writer, type Stack, stackPerFile } from './harness.js';
import { eventually } from '../support/eventually.js';

let stack: Stack;
stackPerFile((started) => { stack = started; });

async function crashAndCheck(): Promise<{ old: string; next: string }> {
  const w = writer(stack);
  const old = stack.primary();
  w.start();
  try {
    await waitForAcksFrom(w, serverId(old), 30);
    await stack.cluster.kill(old);
    const killedAt = Date.now();
    const next = await waitNewPrimary(stack, old);
    await waitForAcksFrom(w, serverId(next), 30);
    await w.stop();
    // The old primary is dead: nothing it acknowledged can be later than its death.
    expect(w.acked.filter((a) => a.serverId === serverId(old) && a.at > killedAt + 50)).toEqual([]);
    const onNew = await idsOn(stack, next);
    const lost = w.acked.filter((a) => !onNew.has(a.id));
    expect(lost).toEqual([]);
    expect(stack.record.snapshot().lastFailover).toMatchObject({ kind: 'failover', from: old, to: next });
    expect(stack.labeler.roles[next]).toBe('primary');
    return { old, next };
  } finally {
    await w.stop();
  }
}

test('SIGKILL of the primary under writes: a replica takes over with every acknowledged write; the old one returns read-only and rejoins', async () => {
  const { old, next } = await crashAndCheck();
  expect(await writableInstances(stack)).toEqual([next]);

  await stack.cluster.restart(old);
  expect(await readOnly(stack, old)).toBe(true);
  // It boots as a replica (init_rpl_role = SLAVE), so a write it had logged but no replica
  // acknowledged (in flight at the kill) is rolled back and cut from its binlog: it rejoins.
  await eventually('the old primary to rejoin', async () => {
    const s = stack.manager.status().instances.find((i) => i.name === old);
    return s && s.role === 'replica' && s.ready ? s : undefined;
  }, 60_000);
  expect(await writableInstances(stack)).toEqual([next]);
  expect(stack.events.events.some((e) => e.reason === 'InstanceQuarantined')).toBe(false);
  await waitHealthy(stack);
  expect(stack.manager.status().instances.find((i) => i.name === old)).toMatchObject({ role: 'replica', ready: true });
  expect(stack.record.snapshot().quarantined ?? []).toEqual([]);
  // It replicates from the new primary and holds every acknowledged write.
  await eventually('the old primary to catch up', async () => {
    const [onOld, onNew] = await Promise.all([idsOn(stack, old), idsOn(stack, next)]);
    return onOld.size === onNew.size;
  });
}, 120_000);

test('an app connection to the old primary is refused once it is back', async () => {
  const old = stack.record.snapshot().lastFailover!.from;
  const c = stack.cluster.credentials;
  const conn = await stack.cluster.connect(old, { user: c.appUser, password: c.appPassword });
  try {
    await expect(conn.query('INSERT INTO app.writes VALUES (-2, @@server_id)')).rejects.toThrow(/read-only|READ-ONLY/i);
  } finally {
    await conn.end();
  }
}, 30_000);

test('a second failover right after the first', async () => {
  const first = stack.record.snapshot().lastFailover!;
  const { old, next } = await crashAndCheck();
  expect(old).toBe(first.to);
  expect(next).not.toBe(old);
  expect(await writableInstances(stack)).toEqual([next]);
  const metrics = await stack.registry.getSingleMetricAsString('webstack_database_failovers_total');
  expect(metrics).toContain('webstack_database_failovers_total{namespace="test",name="shop"} 2');
  await stack.cluster.restart(old);
  await eventually('the old primary to settle', async () => {
    const s = stack.manager.status().instances.find((i) => i.name === old);
    return s?.role === 'quarantined' || (s?.role === 'replica' && s.ready);
  }, 60_000);
  expect(await writableInstances(stack)).toEqual([next]);
}, 120_000);
