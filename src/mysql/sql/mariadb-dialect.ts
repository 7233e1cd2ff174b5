/** MariaDB 10.11 / 11.4: CHANGE MASTER TO ... MASTER_USE_GTID=slave_pos, gtid_binlog_state, read_only. */
import type { Dialect, Row } from './dialect.js';
import type { ManagerCredentials } from '../ports.js';
import { asBool, asNumberOrNull, asText, grantDatabase, quote, quoteIdentifier, statusMap } from './dialect.js';
import { MariadbGtidSet } from '../gtid.js';
import type { IoThreadState, ServerState } from '../observation.js';

function ioThread(v: unknown): IoThreadState {
  const s = asText(v);
  return s === 'Yes' ? 'Yes' : s === 'Connecting' || s === 'Preparing' ? 'Connecting' : 'No';
}

/**
 * mysqld-exporter's account: what its documentation asks for, and SLAVE MONITOR, which SHOW SLAVE
 * STATUS needs since MariaDB 10.5 (REPLICATION CLIENT is BINLOG MONITOR there). Nothing it can write with.
 */
function exporterAccount(c: ManagerCredentials): string[] {
  const user = `${quote(c.exporterUser)}@'%'`;
  return [
    `CREATE USER IF NOT EXISTS ${user} IDENTIFIED BY ${quote(c.exporterPassword)} WITH MAX_USER_CONNECTIONS 3`,
    `GRANT PROCESS, REPLICATION CLIENT, SLAVE MONITOR ON *.* TO ${user}`,
    `GRANT SELECT ON performance_schema.* TO ${user}`,
  ];
}

export const mariadbDialect: Dialect = {
  engine: 'mariadb',
  flavor: 'mariadb',
  probeSql: {
    // gtid_binlog_state (last GTID per domain and server) is what containment compares; it needs
    // log_slave_updates so a replica's binlog holds what it applied. gtid_binlog_pos is the position.
    // The three semi-sync status values ride along as NAME=value pairs: a probe is two statements.
    variables: 'SELECT @@server_id AS server_id, @@read_only AS read_only, @@gtid_binlog_pos AS binlog_pos, '
      + '@@gtid_binlog_state AS binlog_state, @@log_slave_updates AS log_replica_updates, '
      + '@@rpl_semi_sync_master_enabled AS semi_source, @@rpl_semi_sync_slave_enabled AS semi_replica, '
      + "(SELECT GROUP_CONCAT(VARIABLE_NAME, '=', VARIABLE_VALUE) FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME IN "
      + "('RPL_SEMI_SYNC_MASTER_STATUS', 'RPL_SEMI_SYNC_MASTER_CLIENTS', 'RPL_SEMI_SYNC_SLAVE_STATUS')) AS semi_status",
    replicaStatus: 'SHOW SLAVE STATUS',
  },

  parseProbe(v: Row, replicaRows: Row[]): ServerState {
    const st = statusMap(asText(v.semi_status).split(',').filter(Boolean).map((pair) => {
      const at = pair.indexOf('=');
      return { Variable_name: pair.slice(0, at), Value: pair.slice(at + 1) };
    }));
    const r = replicaRows[0];
    const serverId = Number(v.server_id);
    return {
      serverId,
      sourceId: String(serverId),
      readOnly: asBool(v.read_only),
      executed: MariadbGtidSet.parse(asText(v.binlog_state)),
      executedText: asText(v.binlog_pos),
      logReplicaUpdates: asBool(v.log_replica_updates),
      replica: r && asText(r.Master_Host) ? {
        sourceHost: asText(r.Master_Host),
        sourcePort: Number(r.Master_Port),
        sourceTls: asText(r.Master_SSL_Allowed) === 'Yes',
        ioThread: ioThread(r.Slave_IO_Running),
        sqlThread: asText(r.Slave_SQL_Running) === 'Yes',
        lastIoError: asText(r.Last_IO_Error),
        lastIoErrno: Number(r.Last_IO_Errno ?? 0) || 0,
        lastSqlError: asText(r.Last_SQL_Error),
        secondsBehind: asNumberOrNull(r.Seconds_Behind_Master),
        retrieved: MariadbGtidSet.parse(asText(r.Gtid_IO_Pos)),
        retrievedText: asText(r.Gtid_IO_Pos),
      } : undefined,
      semiSync: {
        available: true,
        sourceEnabled: asBool(v.semi_source),
        replicaEnabled: asBool(v.semi_replica),
        sourceActive: asBool(st.get('rpl_semi_sync_master_status')),
        sourceClients: Number(st.get('rpl_semi_sync_master_clients') ?? 0),
        replicaActive: asBool(st.get('rpl_semi_sync_slave_status')),
      },
    };
  },

  // MariaDB has no super_read_only; read_only binds everyone without READ_ONLY ADMIN, and the
  // server waits for in-flight commits before it turns on.
  setReadOnly: (readOnly) => [`SET GLOBAL read_only = ${readOnly ? 'ON' : 'OFF'}`],
  stopReplicaIoThread: () => 'STOP SLAVE IO_THREAD',
  stopReplica: () => 'STOP SLAVE',
  startReplica: () => 'START SLAVE',
  startReplicaSqlThread: () => 'START SLAVE SQL_THREAD',
  resetReplicaAll: () => 'RESET SLAVE ALL',
  // slave_pos only tracks replicated transactions; a server that was a primary has its own
  // transactions only in its binlog, so start replicating from what the binlog holds. A copy
  // rebuilt by the agent has no binlog yet: its slave_pos (set at its first boot) is kept.
  alignReplicaPosition: () => ["SET GLOBAL gtid_slave_pos = IF(@@gtid_binlog_pos = '', @@gtid_slave_pos, @@gtid_binlog_pos)"],
  changeSource: (s) => `CHANGE MASTER TO MASTER_HOST = ${quote(s.host)}, MASTER_PORT = ${Number(s.port)}, `
    + `MASTER_USER = ${quote(s.user)}, MASTER_PASSWORD = ${quote(s.password)}, MASTER_USE_GTID = slave_pos, `
    + `MASTER_CONNECT_RETRY = 1, MASTER_HEARTBEAT_PERIOD = ${Number(s.heartbeatSeconds)}, `
    // Every TLS option is spelled out: CHANGE MASTER keeps the previous value of one left out.
    + `MASTER_SSL = ${s.tls ? 1 : 0}, MASTER_SSL_CA = ${quote(s.tls?.caFile ?? '')}, MASTER_SSL_VERIFY_SERVER_CERT = 0`,
  ownCaFileSql: 'SELECT IFNULL(@@ssl_ca, \'\') AS ca_file',
  replicaNetTimeout: (seconds) => `SET GLOBAL slave_net_timeout = ${Math.max(1, Math.round(seconds))}`,
  semiSync: (s) => [
    "SET GLOBAL rpl_semi_sync_master_wait_point = 'AFTER_SYNC'",
    `SET GLOBAL rpl_semi_sync_master_timeout = ${Math.round(s.timeoutMs)}`,
    `SET GLOBAL rpl_semi_sync_master_enabled = ${s.source ? 'ON' : 'OFF'}`,
    `SET GLOBAL rpl_semi_sync_slave_enabled = ${s.replica ? 'ON' : 'OFF'}`,
  ],
  waitApplied: (gtids, timeoutSeconds) => `SELECT MASTER_GTID_WAIT(${quote(gtids)}, ${Number(timeoutSeconds)}) AS waited`,
  waitSucceeded: (row) => Number(row.waited) === 0,
  bootstrapUsers: (c) => [
    `CREATE USER IF NOT EXISTS ${quote(c.replicationUser)}@'%' IDENTIFIED BY ${quote(c.replicationPassword)}`,
    `GRANT REPLICATION SLAVE, REPLICATION SLAVE ADMIN, SLAVE MONITOR ON *.* TO ${quote(c.replicationUser)}@'%'`,
    `CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(c.databaseName)}`,
    `CREATE USER IF NOT EXISTS ${quote(c.appUser)}@'%' IDENTIFIED BY ${quote(c.appPassword)}`,
    `GRANT ALL PRIVILEGES ON ${grantDatabase(c.databaseName)}.* TO ${quote(c.appUser)}@'%'`,
    ...exporterAccount(c),
  ],
  exporterAccount,
  clientConnections: (exclude) => 'SELECT ID AS id FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() '
    + `AND COMMAND NOT IN ('Daemon', 'Binlog Dump', 'Slave_IO', 'Slave_SQL', 'Slave_worker') AND USER NOT IN ('system user', 'event_scheduler'${exclude.map((u) => `, ${quote(u)}`).join('')})`,
  // LOCAL: a FLUSH is binlogged otherwise, and would be a transaction of the replica's own (errant).
  reloadTls: () => 'FLUSH LOCAL SSL',
  killConnection: (id) => `KILL CONNECTION ${Math.trunc(id)}`,
  binaryLogsSql: 'SHOW BINARY LOGS',
  binlogEvents: (file, from, limit) => `SHOW BINLOG EVENTS IN ${quote(file)} FROM ${Math.trunc(from)} LIMIT ${Math.trunc(limit)}`,
  // "BEGIN GTID 0-101-7" (a transaction), "GTID 0-101-8" (DDL), possibly followed by flags.
  gtidOfEvent: (type, info) => (type === 'Gtid' ? /\bGTID (\d+-\d+-\d+)/.exec(info)?.[1] : undefined),
  // "[0-100-90,0-101-5]"
  previousGtidsOfEvent: (type, info) => (type === 'Gtid_list' ? /^\[(.*)\]$/.exec(info.trim())?.[1] : undefined),
};
