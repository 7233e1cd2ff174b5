/** MySQL 8.4: CHANGE REPLICATION SOURCE TO ... SOURCE_AUTO_POSITION = 1, gtid_executed, super_read_only. */
import type { Dialect, Row } from './dialect.js';
import type { ManagerCredentials } from '../ports.js';
import { asBool, asNumberOrNull, asText, grantDatabase, quote, quoteIdentifier, statusMap } from './dialect.js';
import { MysqlGtidSet } from '../gtid.js';
import type { IoThreadState, ServerState } from '../observation.js';

function ioThread(v: unknown): IoThreadState {
  const s = asText(v);
  return s === 'Yes' ? 'Yes' : s === 'Connecting' ? 'Connecting' : 'No';
}

/** mysqld-exporter's account, as its documentation asks: status and replication state, nothing it can write with. */
function exporterAccount(c: ManagerCredentials): string[] {
  const user = `${quote(c.exporterUser)}@'%'`;
  return [
    `CREATE USER IF NOT EXISTS ${user} IDENTIFIED BY ${quote(c.exporterPassword)} WITH MAX_USER_CONNECTIONS 3`,
    `GRANT PROCESS, REPLICATION CLIENT ON *.* TO ${user}`,
    `GRANT SELECT ON performance_schema.* TO ${user}`,
  ];
}

export const mysqlDialect: Dialect = {
  engine: 'mysql',
  flavor: 'mysql',
  probeSql: {
    variables: 'SELECT @@server_id AS server_id, @@server_uuid AS server_uuid, @@super_read_only AS super_read_only, '
      + '@@read_only AS read_only, @@gtid_executed AS gtid_executed, @@log_replica_updates AS log_replica_updates',
    replicaStatus: 'SHOW REPLICA STATUS',
    // The semi-sync variables exist only while the plugins are loaded (semisync mode), so they are
    // read as rows, where absence is an answer rather than an error.
    semiSyncStatus: 'SELECT VARIABLE_NAME AS Variable_name, VARIABLE_VALUE AS Value FROM performance_schema.global_variables '
      + "WHERE VARIABLE_NAME LIKE 'rpl\\_semi\\_sync\\_%' UNION ALL SELECT VARIABLE_NAME, VARIABLE_VALUE "
      + "FROM performance_schema.global_status WHERE VARIABLE_NAME LIKE 'Rpl\\_semi\\_sync\\_%'",
  },

  parseProbe(v: Row, replicaRows: Row[], statusRows: Row[]): ServerState {
    const st = statusMap(statusRows);
    // The default channel's row: another channel (a point-in-time restore's 'pitr', src/backup/mysql-replay.ts) is not replication.
    const r = replicaRows.find((row) => !asText(row.Channel_Name));
    return {
      serverId: Number(v.server_id),
      sourceId: asText(v.server_uuid),
      readOnly: asBool(v.read_only) || asBool(v.super_read_only),
      executed: MysqlGtidSet.parse(asText(v.gtid_executed)),
      executedText: asText(v.gtid_executed).replace(/\s+/g, ''),
      logReplicaUpdates: asBool(v.log_replica_updates),
      replica: r && asText(r.Source_Host) ? {
        sourceHost: asText(r.Source_Host),
        sourcePort: Number(r.Source_Port),
        sourceTls: asText(r.Source_SSL_Allowed) === 'Yes',
        ioThread: ioThread(r.Replica_IO_Running),
        sqlThread: asText(r.Replica_SQL_Running) === 'Yes',
        lastIoError: asText(r.Last_IO_Error),
        lastIoErrno: Number(r.Last_IO_Errno ?? 0) || 0,
        lastSqlError: asText(r.Last_SQL_Error),
        secondsBehind: asNumberOrNull(r.Seconds_Behind_Source),
        retrieved: MysqlGtidSet.parse(asText(r.Retrieved_Gtid_Set)),
        retrievedText: asText(r.Retrieved_Gtid_Set).replace(/\s+/g, ''),
      } : undefined,
      semiSync: {
        available: st.has('rpl_semi_sync_source_enabled'),
        sourceEnabled: asBool(st.get('rpl_semi_sync_source_enabled')),
        replicaEnabled: asBool(st.get('rpl_semi_sync_replica_enabled')),
        sourceActive: asBool(st.get('rpl_semi_sync_source_status')),
        sourceClients: Number(st.get('rpl_semi_sync_source_clients') ?? 0),
        replicaActive: asBool(st.get('rpl_semi_sync_replica_status')),
      },
    };
  },

  // super_read_only also binds SUPER users; turning read_only off turns super_read_only off too,
  // but both are spelled out so the intent reads plainly.
  setReadOnly: (readOnly) => (readOnly
    ? ['SET GLOBAL super_read_only = ON']
    : ['SET GLOBAL super_read_only = OFF', 'SET GLOBAL read_only = OFF']),
  stopReplicaIoThread: () => 'STOP REPLICA IO_THREAD',
  stopReplica: () => 'STOP REPLICA',
  startReplica: () => 'START REPLICA',
  startReplicaSqlThread: () => 'START REPLICA SQL_THREAD',
  resetReplicaAll: () => 'RESET REPLICA ALL',
  // Auto-positioning sends gtid_executed, which already includes the server's own transactions.
  alignReplicaPosition: () => [],
  changeSource: (s) => `CHANGE REPLICATION SOURCE TO SOURCE_HOST = ${quote(s.host)}, SOURCE_PORT = ${Number(s.port)}, `
    + `SOURCE_USER = ${quote(s.user)}, SOURCE_PASSWORD = ${quote(s.password)}, SOURCE_AUTO_POSITION = 1, `
    // SOURCE_RETRY_COUNT = 0: no limit on reconnection attempts (the default, 10, gives up after
    // about 10 s without a source at one attempt a second, and nothing would start it again).
    + `SOURCE_CONNECT_RETRY = 1, SOURCE_RETRY_COUNT = 0, SOURCE_HEARTBEAT_PERIOD = ${Number(s.heartbeatSeconds)}, GET_SOURCE_PUBLIC_KEY = 1, `
    // With SOURCE_SSL_CA set and no identity check, the replica connects as --ssl-mode=VERIFY_CA does.
    + `SOURCE_SSL = ${s.tls ? 1 : 0}, SOURCE_SSL_CA = ${quote(s.tls?.caFile ?? '')}, SOURCE_SSL_VERIFY_SERVER_CERT = 0`,
  ownCaFileSql: 'SELECT IFNULL(@@ssl_ca, \'\') AS ca_file',
  replicaNetTimeout: (seconds) => `SET GLOBAL replica_net_timeout = ${Math.max(1, Math.round(seconds))}`,
  semiSync: (s) => [
    "SET GLOBAL rpl_semi_sync_source_wait_point = 'AFTER_SYNC'",
    'SET GLOBAL rpl_semi_sync_source_wait_for_replica_count = 1',
    `SET GLOBAL rpl_semi_sync_source_timeout = ${Math.round(s.timeoutMs)}`,
    `SET GLOBAL rpl_semi_sync_source_enabled = ${s.source ? 'ON' : 'OFF'}`,
    `SET GLOBAL rpl_semi_sync_replica_enabled = ${s.replica ? 'ON' : 'OFF'}`,
  ],
  waitApplied: (gtids, timeoutSeconds) => `SELECT WAIT_FOR_EXECUTED_GTID_SET(${quote(gtids)}, ${Number(timeoutSeconds)}) AS waited`,
  waitSucceeded: (row) => Number(row.waited) === 0,
  bootstrapUsers: (c) => [
    `CREATE USER IF NOT EXISTS ${quote(c.replicationUser)}@'%' IDENTIFIED BY ${quote(c.replicationPassword)}`,
    `GRANT REPLICATION SLAVE ON *.* TO ${quote(c.replicationUser)}@'%'`,
    `CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(c.databaseName)}`,
    `CREATE USER IF NOT EXISTS ${quote(c.appUser)}@'%' IDENTIFIED BY ${quote(c.appPassword)}`,
    `GRANT ALL PRIVILEGES ON ${grantDatabase(c.databaseName)}.* TO ${quote(c.appUser)}@'%'`,
    ...exporterAccount(c),
  ],
  exporterAccount,
  clientConnections: (exclude) => 'SELECT PROCESSLIST_ID AS id FROM performance_schema.threads WHERE TYPE = \'FOREGROUND\' '
    + 'AND PROCESSLIST_ID <> CONNECTION_ID() AND PROCESSLIST_COMMAND NOT IN (\'Binlog Dump\', \'Binlog Dump GTID\', \'Daemon\') '
    + `AND IFNULL(PROCESSLIST_USER, '') NOT IN ('', 'event_scheduler'${exclude.map((u) => `, ${quote(u)}`).join('')})`,
  reloadTls: () => 'ALTER INSTANCE RELOAD TLS',
  killConnection: (id) => `KILL CONNECTION ${Math.trunc(id)}`,
  binaryLogsSql: 'SHOW BINARY LOGS',
  binlogEvents: (file, from, limit) => `SHOW BINLOG EVENTS IN ${quote(file)} FROM ${Math.trunc(from)} LIMIT ${Math.trunc(limit)}`,
  // "SET @@SESSION.GTID_NEXT= '<uuid>:<n>'"
  gtidOfEvent: (type, info) => (type === 'Gtid' ? /GTID_NEXT\s*=\s*'([^']+)'/.exec(info)?.[1] : undefined),
  // "<uuid>:1-22,\n<uuid>:1-5" (empty for the first file)
  previousGtidsOfEvent: (type, info) => (type === 'Previous_gtids' ? info.replace(/\s+/g, '') : undefined),
};

