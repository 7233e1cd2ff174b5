/** Bootstrap, replication and the read-only guarantees on three real MariaDB instances; an errant replica. */
import { expect, test } from '@jest/globals';

import { idsOn, readOnly, waitNewPrimary, writableInstances, type Stack, stackPerFile } from './harness.js';
import path from 'node:path';
import mysql from 'mysql2/promise';
import type { TLSSocket } from 'node:tls';
import { certificateFacts, issueServerCertificate } from '../../src/pki/certificates.js';
import { databaseServerNames } from '../../src/pki/names.js';
import { writeTlsDir } from '../support/database-tls.js';
import { mariadbDialect } from '../../src/mysql/sql/mariadb-dialect.js';
import { sqlDatabases } from '../../src/mysql/sql/sql-database.js';
import { eventually } from '../support/eventually.js';

let stack: Stack;
stackPerFile((started) => { stack = started; });

const [p0, p1, p2] = ['shop-mysql-0', 'shop-mysql-1', 'shop-mysql-2'];

test('bootstrap: pod 0 is the only writable instance; users and database exist once, replicated from it', async () => {
  expect(stack.primary()).toBe(p0);
  expect(stack.record.snapshot().bootstrapped).toBe(true);
  expect(await writableInstances(stack)).toEqual([p0]);
  expect(stack.labeler.roles).toEqual({ [p0]: 'primary', [p1]: 'replica', [p2]: 'replica' });
  for (const name of [p1, p2]) {
    const [r] = await stack.cluster.query<Record<string, unknown>>(name, 'SHOW SLAVE STATUS');
    expect(r).toMatchObject({ Master_Port: stack.cluster.get(p0).port, Slave_IO_Running: 'Yes', Slave_SQL_Running: 'Yes', Using_Gtid: 'Slave_Pos' });
    // Replication over TLS, the source's certificate verified against the CA bundle the replica serves with.
    expect(r).toMatchObject({ Master_SSL_Allowed: 'Yes', Master_SSL_CA_File: path.join(stack.cluster.tlsDirectory!, 'ca.crt') });
    // Every transaction on a replica came from the primary: no GTID of its own server_id.
    const [{ state }] = await stack.cluster.query<{ state: string }>(name, 'SELECT @@gtid_binlog_state AS state');
    expect(state).toMatch(/^0-100-\d+$/);
    const users = await stack.cluster.query<{ User: string }>(name, "SELECT User FROM mysql.user WHERE User IN ('app', 'webstack-repl') ORDER BY User");
    expect(users.map((u) => u.User)).toEqual(['app', 'webstack-repl']);
  }
  const semi = await stack.cluster.query<{ Variable_name: string; Value: string }>(p0, "SHOW GLOBAL STATUS LIKE 'Rpl_semi_sync_master_clients'");
  expect(Number(semi[0].Value)).toBe(2);
  // What the manager's probe reads of it, in its single variables round trip.
  const probe = sqlDatabases(mariadbDialect, stack.cluster.credentials, { connectMs: 2000, queryMs: 5000 }, undefined, stack.cluster.caBundle);
  const [primaryState, replicaState] = await Promise.all([p0, p1].map((n) => probe(stack.cluster.addresses().find((a) => a.name === n)!).status()));
  expect(primaryState.semiSync).toMatchObject({ sourceEnabled: true, sourceActive: true, sourceClients: 2, replicaActive: false });
  expect(replicaState.semiSync).toMatchObject({ replicaEnabled: true, replicaActive: true, sourceActive: false });
  expect(stack.events.events.filter((e) => e.reason === 'DatabaseBootstrapped')).toHaveLength(1);
});

test('writes on the primary replicate; replicas refuse the app user’s writes', async () => {
  const c = stack.cluster.credentials;
  const app = { user: c.appUser, password: c.appPassword };
  const primaryConn = await stack.cluster.connect(p0, app);
  await primaryConn.query('INSERT INTO app.writes VALUES (1, @@server_id), (2, @@server_id)');
  await primaryConn.end();
  for (const name of [p1, p2]) {
    await eventually(`rows on ${name}`, async () => (await idsOn(stack, name)).size === 2);
    expect(await readOnly(stack, name)).toBe(true);
    const conn = await stack.cluster.connect(name, app);
    await expect(conn.query('INSERT INTO app.writes VALUES (3, @@server_id)')).rejects.toThrow(/read-only/i);
    await conn.end();
  }
});

test('every instance requires TLS of its TCP clients (so the manager, the replicas and the app use it); a client without TLS is refused', async () => {
  const c = stack.cluster.credentials;
  for (const name of [p0, p1, p2]) {
    const [row] = await stack.cluster.query<{ required: number }>(name, 'SELECT @@require_secure_transport AS required');
    expect(Number(row.required)).toBe(1);
  }
  const { port } = stack.cluster.get(p0);
  await expect(mysql.createConnection({ host: '127.0.0.1', port, user: c.appUser, password: c.appPassword, connectTimeout: 2000 }))
    .rejects.toThrow(/Access denied|insecure transport/);
});

test('a renewed server certificate is served by every instance without a restart: the manager reloads their TLS files', async () => {
  await stack.manager.stop();
  stack.manager = stack.newManager({ timings: { probeIntervalMs: 250, tlsReloadIntervalMs: 500 } });
  stack.manager.start();
  const certs = stack.cluster.certificates!;
  const renewed = await issueServerCertificate(certs.ca, 'shop-mysql', databaseServerNames('shop', 'default', 'cluster.local'), new Date());
  writeTlsDir(stack.cluster.tlsDirectory!, { ...certs, server: renewed });
  const serial = certificateFacts(renewed.certificate)!.x509.serialNumber;
  const served = async (name: string) => {
    const conn = await stack.cluster.connect(name);
    try {
      return (conn as unknown as { connection: { stream: TLSSocket } }).connection.stream.getPeerCertificate().serialNumber;
    } finally {
      await conn.end();
    }
  };
  const pids = stack.cluster.instances.map((i) => i.process?.pid);
  for (const name of [p0, p1, p2]) await eventually(`${name} to serve the renewed certificate`, async () => (await served(name)) === serial, 10_000, 100);
  expect(stack.cluster.instances.map((i) => i.process?.pid)).toEqual(pids);
});

test('nothing in status, events or errors carries a password', () => {
  const everything = JSON.stringify({ status: stack.manager.status(), events: stack.events.events, record: stack.record.snapshot() });
  for (const secret of [stack.cluster.credentials.adminPassword, stack.cluster.credentials.replicationPassword, stack.cluster.credentials.appPassword]) {
    expect(everything).not.toContain(secret);
  }
});

test('a replica with an errant transaction is quarantined and never promoted', async () => {
  // An operator mistake: a write straight on replica 2 (the admin account may write through read_only).
  await stack.cluster.query(p2, 'INSERT INTO app.writes VALUES (100, @@server_id)');
  await eventually('the quarantine', async () => stack.record.snapshot().quarantined?.includes(p2), 20_000);
  expect(stack.labeler.roles[p2]).toBe('quarantined');
  expect(stack.events.events.find((e) => e.reason === 'InstanceQuarantined')?.message).toMatch(/shop-mysql-2 holds transactions the primary lacks \(0-102-\d+\)/);
  await eventually('status to show the errant GTIDs', async () => stack.manager.status().instances.find((i) => i.name === p2)?.errantGtids?.startsWith('0-102-'));
  expect(await readOnly(stack, p2)).toBe(true);

  // Async mode, so that one survivor is enough for a failover and the errant one is the only other choice.
  stack.spec.replicationMode = 'async';
  await eventually('async replication configured', async () => stack.manager.status().conditions.find((c) => c.type === 'SemiSyncDegraded')?.reason === 'Asynchronous'
    && stack.manager.status().lastDecision?.reason === 'healthy');
  await stack.cluster.kill(p0);
  expect(await waitNewPrimary(stack, p0)).toBe(p1);
  expect(await writableInstances(stack)).toEqual([p1]);
  expect(stack.record.snapshot().quarantined).toEqual([p2]);
  // The quarantined instance stays out: read-only, not replicating.
  const [r] = await stack.cluster.query<Record<string, unknown>>(p2, 'SHOW SLAVE STATUS');
  expect(r?.Slave_IO_Running ?? 'No').toBe('No');
}, 90_000);
