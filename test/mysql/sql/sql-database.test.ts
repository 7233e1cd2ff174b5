/** The database interface in SQL: which statements each operation sends, in one session, in order. */
import { describe, expect, test } from '@jest/globals';
import { mariadbDialect } from '../../../src/mysql/sql/mariadb-dialect.js';
import type { Row } from '../../../src/mysql/sql/dialect.js';
import { SqlDatabase } from '../../../src/mysql/sql/sql-database.js';
import type { ManagerCredentials } from '../../../src/mysql/ports.js';
import { scriptedSession } from '../../support/scripted-session.js';

const creds: ManagerCredentials = {
  adminUser: 'admin', adminPassword: 'a-pw', replicationUser: 'repl', replicationPassword: 'r-pw',
  databaseName: 'shop', appUser: 'app', appPassword: 'app-pw', exporterUser: 'exporter', exporterPassword: 'e-pw',
};

/** A database whose sessions record what they were sent and answer from `answers`. */
function recording(answers: (sql: string) => Row[] = () => []) {
  const sessions: { sql: string; timeoutMs?: number }[][] = [];
  const db = new SqlDatabase(mariadbDialect, creds, async (fn) => {
    const sent: { sql: string; timeoutMs?: number }[] = [];
    sessions.push(sent);
    return fn(scriptedSession(async (sql, timeoutMs) => { sent.push({ sql, timeoutMs }); return answers(sql); }));
  });
  return { db, sessions, sql: () => sessions.map((s) => s.map((q) => q.sql)) };
}

describe('SqlDatabase', () => {
  test('pointAt: stop; read-only, align, net timeout and semi-sync in one SET; source with the replication user; start', async () => {
    const r = recording();
    await r.db.pointAt({ name: 'shop-mysql-0', host: '10.0.0.5', port: 3306 },
      { netTimeoutSeconds: 4, semiSync: { source: false, replica: true, timeoutMs: 1000 } });
    expect(r.sql()).toEqual([[
      'STOP SLAVE',
      "SET GLOBAL read_only = ON, GLOBAL gtid_slave_pos = IF(@@gtid_binlog_pos = '', @@gtid_slave_pos, @@gtid_binlog_pos), GLOBAL slave_net_timeout = 4, "
        + "GLOBAL rpl_semi_sync_master_wait_point = 'AFTER_SYNC', GLOBAL rpl_semi_sync_master_timeout = 1000, "
        + 'GLOBAL rpl_semi_sync_master_enabled = OFF, GLOBAL rpl_semi_sync_slave_enabled = ON',
      mariadbDialect.changeSource({ host: '10.0.0.5', port: 3306, user: 'repl', password: 'r-pw', heartbeatSeconds: 2 }),
      'START SLAVE',
    ]]);
  });

  test('promote without semi-sync settings leaves semi-sync alone', async () => {
    const r = recording();
    await r.db.promote();
    expect(r.sql()).toEqual([['STOP SLAVE', 'RESET SLAVE ALL']]);
  });

  test('waitForGtidSet waits on the server in whole seconds, with a client deadline beyond it', async () => {
    const r = recording(() => [{ waited: 0 }]);
    expect(await r.db.waitForGtidSet('0-100-5', 2500)).toBe(true);
    expect(r.sessions[0]).toEqual([{ sql: "SELECT MASTER_GTID_WAIT('0-100-5', 3) AS waited", timeoutMs: 5000 }]);
    expect(await recording(() => [{ waited: -1 }]).db.waitForGtidSet('0-100-5', 1000)).toBe(false);
  });

  test('killClients spares the operator and replication, and kills each client found', async () => {
    const r = recording((sql) => (sql.startsWith('SELECT ID') ? [{ id: 7 }, { id: 9 }] : []));
    await r.db.killClients();
    const [sent] = r.sql();
    expect(sent[0]).toBe(mariadbDialect.clientConnections(['admin', 'repl']));
    expect(sent.slice(1)).toEqual(['KILL CONNECTION 7', 'KILL CONNECTION 9']);
  });

  test('status reads the three probe queries and parses them', async () => {
    const r = recording((sql) => (sql.startsWith('SELECT @@server_id') ? [{ server_id: 101, read_only: 1, binlog_pos: '0-100-3', binlog_state: '0-100-3' }] : []));
    const s = await r.db.status();
    expect(s).toEqual(expect.objectContaining({ serverId: 101, readOnly: true, executedText: '0-100-3' }));
    expect(r.sessions).toHaveLength(1);
  });
});
