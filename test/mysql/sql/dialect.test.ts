import { describe, expect, test } from '@jest/globals';
import { mariadbDialect } from '../../../src/mysql/sql/mariadb-dialect.js';
import { mysqlDialect } from '../../../src/mysql/sql/mysql-dialect.js';
import { dialectFor } from '../../../src/mysql/sql/engines.js';
import { combineSetGlobals } from '../../../src/mysql/sql/dialect.js';
import type { ManagerCredentials } from '../../../src/mysql/ports.js';

const creds: ManagerCredentials = {
  adminUser: 'admin', adminPassword: 'a-pw', replicationUser: 'repl', replicationPassword: "r'pw",
  databaseName: 'shop', appUser: 'app', appPassword: 'app-pw', exporterUser: 'exporter', exporterPassword: "e'pw",
};
const source = { host: 'shop-mysql-1.shop-mysql', port: 3306, user: 'repl', password: "r'pw", heartbeatSeconds: 1 };

describe('MariaDB dialect', () => {
  const d = mariadbDialect;
  test('replication statements', () => {
    expect(d.changeSource(source)).toBe("CHANGE MASTER TO MASTER_HOST = 'shop-mysql-1.shop-mysql', MASTER_PORT = 3306, "
      + "MASTER_USER = 'repl', MASTER_PASSWORD = 'r\\'pw', MASTER_USE_GTID = slave_pos, MASTER_CONNECT_RETRY = 1, MASTER_HEARTBEAT_PERIOD = 1, "
      + "MASTER_SSL = 0, MASTER_SSL_CA = '', MASTER_SSL_VERIFY_SERVER_CERT = 0");
    expect(d.changeSource({ ...source, tls: { caFile: '/etc/mysql/tls/ca.crt' } }))
      .toMatch(/, MASTER_SSL = 1, MASTER_SSL_CA = '\/etc\/mysql\/tls\/ca.crt', MASTER_SSL_VERIFY_SERVER_CERT = 0$/);
    // Not binlogged: on a replica it would be an errant transaction.
    expect(d.reloadTls()).toBe('FLUSH LOCAL SSL');
    expect([d.stopReplicaIoThread(), d.stopReplica(), d.startReplica(), d.startReplicaSqlThread(), d.resetReplicaAll()])
      .toEqual(['STOP SLAVE IO_THREAD', 'STOP SLAVE', 'START SLAVE', 'START SLAVE SQL_THREAD', 'RESET SLAVE ALL']);
    expect(d.alignReplicaPosition()).toEqual(["SET GLOBAL gtid_slave_pos = IF(@@gtid_binlog_pos = '', @@gtid_slave_pos, @@gtid_binlog_pos)"]);
    expect(d.replicaNetTimeout(2.4)).toBe('SET GLOBAL slave_net_timeout = 2');
    expect(d.waitApplied('0-100-5', 3)).toBe("SELECT MASTER_GTID_WAIT('0-100-5', 3) AS waited");
    expect(d.waitSucceeded({ waited: 0 })).toBe(true);
    expect(d.waitSucceeded({ waited: -1 })).toBe(false);
  });
  test('read-only and semi-sync', () => {
    expect(d.setReadOnly(true)).toEqual(['SET GLOBAL read_only = ON']);
    expect(d.setReadOnly(false)).toEqual(['SET GLOBAL read_only = OFF']);
    expect(d.semiSync({ source: true, replica: false, timeoutMs: 31536000000 })).toEqual([
      "SET GLOBAL rpl_semi_sync_master_wait_point = 'AFTER_SYNC'",
      'SET GLOBAL rpl_semi_sync_master_timeout = 31536000000',
      'SET GLOBAL rpl_semi_sync_master_enabled = ON',
      'SET GLOBAL rpl_semi_sync_slave_enabled = OFF',
    ]);
  });
  test('bootstrap users', () => {
    expect(d.bootstrapUsers(creds)).toEqual([
      "CREATE USER IF NOT EXISTS 'repl'@'%' IDENTIFIED BY 'r\\'pw'",
      "GRANT REPLICATION SLAVE, REPLICATION SLAVE ADMIN, SLAVE MONITOR ON *.* TO 'repl'@'%'",
      'CREATE DATABASE IF NOT EXISTS `shop`',
      "CREATE USER IF NOT EXISTS 'app'@'%' IDENTIFIED BY 'app-pw'",
      "GRANT ALL PRIVILEGES ON `shop`.* TO 'app'@'%'",
      "CREATE USER IF NOT EXISTS 'exporter'@'%' IDENTIFIED BY 'e\\'pw' WITH MAX_USER_CONNECTIONS 3",
      "GRANT PROCESS, REPLICATION CLIENT, SLAVE MONITOR ON *.* TO 'exporter'@'%'",
      "GRANT SELECT ON performance_schema.* TO 'exporter'@'%'",
    ]);
  });
  test('client connections leave replication and our own sessions alone', () => {
    expect(d.clientConnections(['admin', 'repl'])).toBe('SELECT ID AS id FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() '
      + "AND COMMAND NOT IN ('Daemon', 'Binlog Dump', 'Slave_IO', 'Slave_SQL', 'Slave_worker') AND USER NOT IN ('system user', 'event_scheduler', 'admin', 'repl')");
    expect(d.killConnection(42.9)).toBe('KILL CONNECTION 42');
  });
  test('probe parsing', () => {
    const s = d.parseProbe(
      { server_id: 101, read_only: 1, binlog_pos: '0-100-7', binlog_state: '0-100-7,0-101-2', log_replica_updates: 1, semi_source: 0, semi_replica: 1,
        semi_status: 'RPL_SEMI_SYNC_SLAVE_STATUS=ON,RPL_SEMI_SYNC_MASTER_CLIENTS=0' },
      [{ Master_Host: '127.0.0.1', Master_Port: 3300, Slave_IO_Running: 'Connecting', Slave_SQL_Running: 'Yes', Last_IO_Error: 'lost', Last_IO_Errno: 2003,
        Last_SQL_Error: '', Seconds_Behind_Master: null, Gtid_IO_Pos: '0-100-8' }],
      [],
    );
    expect(s).toMatchObject({ serverId: 101, sourceId: '101', readOnly: true, executedText: '0-100-7', logReplicaUpdates: true,
      replica: { sourceHost: '127.0.0.1', sourcePort: 3300, ioThread: 'Connecting', sqlThread: true, lastIoError: 'lost', lastIoErrno: 2003, secondsBehind: null, retrievedText: '0-100-8' },
      semiSync: { sourceEnabled: false, replicaEnabled: true, replicaActive: true, sourceClients: 0, sourceActive: false } });
    expect(s.executed.toString()).toBe('0-100-7,0-101-2');
    expect(d.parseProbe({ server_id: 100, read_only: 0, binlog_state: '' }, [], []).replica).toBeUndefined();
  });
});

describe('MySQL 8.4 dialect', () => {
  const d = mysqlDialect;
  test('replication statements', () => {
    expect(d.changeSource(source)).toBe("CHANGE REPLICATION SOURCE TO SOURCE_HOST = 'shop-mysql-1.shop-mysql', SOURCE_PORT = 3306, "
      + "SOURCE_USER = 'repl', SOURCE_PASSWORD = 'r\\'pw', SOURCE_AUTO_POSITION = 1, SOURCE_CONNECT_RETRY = 1, SOURCE_RETRY_COUNT = 0, SOURCE_HEARTBEAT_PERIOD = 1, GET_SOURCE_PUBLIC_KEY = 1, "
      + "SOURCE_SSL = 0, SOURCE_SSL_CA = '', SOURCE_SSL_VERIFY_SERVER_CERT = 0");
    expect(d.changeSource({ ...source, tls: { caFile: '/etc/mysql/tls/ca.crt' } }))
      .toMatch(/, SOURCE_SSL = 1, SOURCE_SSL_CA = '\/etc\/mysql\/tls\/ca.crt', SOURCE_SSL_VERIFY_SERVER_CERT = 0$/);
    expect(d.reloadTls()).toBe('ALTER INSTANCE RELOAD TLS');
    expect([d.stopReplicaIoThread(), d.stopReplica(), d.startReplica(), d.startReplicaSqlThread(), d.resetReplicaAll()])
      .toEqual(['STOP REPLICA IO_THREAD', 'STOP REPLICA', 'START REPLICA', 'START REPLICA SQL_THREAD', 'RESET REPLICA ALL']);
    expect(d.alignReplicaPosition()).toEqual([]);
    expect(d.replicaNetTimeout(3)).toBe('SET GLOBAL replica_net_timeout = 3');
    expect(d.waitApplied('uuid:1-5', 3)).toBe("SELECT WAIT_FOR_EXECUTED_GTID_SET('uuid:1-5', 3) AS waited");
    expect(d.waitSucceeded({ waited: 1 })).toBe(false);
  });
  test('read-only and semi-sync', () => {
    expect(d.setReadOnly(true)).toEqual(['SET GLOBAL super_read_only = ON']);
    expect(d.setReadOnly(false)).toEqual(['SET GLOBAL super_read_only = OFF', 'SET GLOBAL read_only = OFF']);
    expect(d.semiSync({ source: false, replica: true, timeoutMs: 1000 })).toEqual([
      "SET GLOBAL rpl_semi_sync_source_wait_point = 'AFTER_SYNC'",
      'SET GLOBAL rpl_semi_sync_source_wait_for_replica_count = 1',
      'SET GLOBAL rpl_semi_sync_source_timeout = 1000',
      'SET GLOBAL rpl_semi_sync_source_enabled = OFF',
      'SET GLOBAL rpl_semi_sync_replica_enabled = ON',
    ]);
  });
  test('bootstrap users', () => {
    expect(d.bootstrapUsers(creds)).toEqual([
      "CREATE USER IF NOT EXISTS 'repl'@'%' IDENTIFIED BY 'r\\'pw'",
      "GRANT REPLICATION SLAVE ON *.* TO 'repl'@'%'",
      'CREATE DATABASE IF NOT EXISTS `shop`',
      "CREATE USER IF NOT EXISTS 'app'@'%' IDENTIFIED BY 'app-pw'",
      "GRANT ALL PRIVILEGES ON `shop`.* TO 'app'@'%'",
      "CREATE USER IF NOT EXISTS 'exporter'@'%' IDENTIFIED BY 'e\\'pw' WITH MAX_USER_CONNECTIONS 3",
      "GRANT PROCESS, REPLICATION CLIENT ON *.* TO 'exporter'@'%'",
      "GRANT SELECT ON performance_schema.* TO 'exporter'@'%'",
    ]);
  });
  test('semi-sync variables are read as rows, so a server without the plugins still answers the probe', () => {
    expect(d.probeSql.variables).not.toContain('rpl_semi_sync');
    expect(d.probeSql.semiSyncStatus).toContain('FROM performance_schema.global_variables');
    expect(d.probeSql.semiSyncStatus).toContain('FROM performance_schema.global_status');
  });
  test('client connections come from performance_schema', () => {
    expect(d.clientConnections(['admin'])).toContain("NOT IN ('', 'event_scheduler', 'admin')");
    expect(d.clientConnections(['admin'])).toContain('performance_schema.threads');
  });
  test('probe parsing: super_read_only counts as read-only; GTID sets lose their newlines', () => {
    const u = '3e11fa47-71ca-11e1-9e33-c80aa9429562';
    const s = d.parseProbe(
      { server_id: 100, server_uuid: u, read_only: 0, super_read_only: 1, gtid_executed: `${u}:1-5,\n${u}:7`, log_replica_updates: 1 },
      [{ Source_Host: 'h', Source_Port: 3306, Replica_IO_Running: 'No', Replica_SQL_Running: 'No', Last_SQL_Error: 'x', Last_IO_Errno: 13114,
        Seconds_Behind_Source: '4', Retrieved_Gtid_Set: `${u}:1-9` }],
      [{ Variable_name: 'rpl_semi_sync_source_enabled', Value: 'ON' }, { Variable_name: 'rpl_semi_sync_replica_enabled', Value: 'OFF' },
        { Variable_name: 'Rpl_semi_sync_source_status', Value: 'ON' }, { Variable_name: 'Rpl_semi_sync_source_clients', Value: '2' }],
    );
    expect(s).toMatchObject({ sourceId: u, readOnly: true, executedText: `${u}:1-5,${u}:7`,
      replica: { ioThread: 'No', lastIoErrno: 13114, sqlThread: false, lastSqlError: 'x', secondsBehind: 4 },
      semiSync: { available: true, sourceEnabled: true, replicaEnabled: false, sourceActive: true, sourceClients: 2 } });
    expect(s.executed.toString()).toBe(`${u}:1-5:7`);
    // A restore's point-in-time channel on a primary is not a replication source.
    const pitr = { Channel_Name: 'pitr', Source_Host: 'pitr.invalid', Source_Port: 3306, Replica_IO_Running: 'No', Replica_SQL_Running: 'Yes' };
    expect(d.parseProbe({ server_id: 100, server_uuid: u, read_only: 0, gtid_executed: '' }, [pitr], []).replica).toBeUndefined();
    expect(d.parseProbe({ server_id: 100, server_uuid: u, read_only: 1, gtid_executed: '' }, [pitr, { Channel_Name: '', Source_Host: 'h', Source_Port: 3306 }], [])
      .replica).toMatchObject({ sourceHost: 'h' });
    // Async mode: the plugins are not loaded, so there is nothing to read and nothing to turn off.
    expect(d.parseProbe({ server_id: 100, server_uuid: u, read_only: 1, gtid_executed: '' }, [], []).semiSync)
      .toMatchObject({ available: false, sourceEnabled: false, replicaEnabled: false });
  });
});

test('dialectFor picks the engine module', () => {
  expect(dialectFor('mysql')).toBe(mysqlDialect);
  expect(dialectFor('mariadb')).toBe(mariadbDialect);
});

describe('the app user is granted its own database only', () => {
  test.each([['mariadb', mariadbDialect], ['mysql', mysqlDialect]] as const)('%s escapes the GRANT wildcards "_" and "%%"', (_engine, dialect) => {
    const statements = dialect.bootstrapUsers({ ...creds, databaseName: 'm_sql' });
    expect(statements).toContain('CREATE DATABASE IF NOT EXISTS `m_sql`');
    expect(statements).toContain("GRANT ALL PRIVILEGES ON `m\\_sql`.* TO 'app'@'%'");
    expect(statements.filter((s) => s.startsWith('GRANT ALL'))).toHaveLength(1);
  });
});

describe('consecutive SET GLOBAL statements go as one', () => {
  test('merges runs, keeps order and every other statement where it was', () => {
    expect(combineSetGlobals(['STOP REPLICA', 'SET GLOBAL super_read_only = OFF', 'SET GLOBAL read_only = OFF', 'START REPLICA', 'SET GLOBAL a = IF(1, 2, 3)']))
      .toEqual(['STOP REPLICA', 'SET GLOBAL super_read_only = OFF, GLOBAL read_only = OFF', 'START REPLICA', 'SET GLOBAL a = IF(1, 2, 3)']);
    expect(combineSetGlobals([])).toEqual([]);
    expect(combineSetGlobals(['SET SESSION x = 1', 'SET GLOBAL y = 2'])).toEqual(['SET SESSION x = 1', 'SET GLOBAL y = 2']);
  });
});
