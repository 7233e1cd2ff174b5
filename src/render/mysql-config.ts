/**
 * The database server configuration and the pod start script, for MySQL 8.4 and MariaDB 11.4
 * (and Debian's MariaDB 10.11, the engine the integration tests run), each in its own syntax.
 */
import type { ResolvedSpec } from '../api/defaults.js';
import type { DatabaseEngine } from '../api/types.js';
import { TLS_SECRET_KEYS } from '../pki/database-certificates.js';

/** Where the pod mounts the stack's database ConfigMap, and the keys it holds. */
export const DATABASE_CONFIG_DIR = '/etc/mysql/webstack';
export const SERVER_CONFIG_KEY = 'webstack.cnf';
export const START_SCRIPT_KEY = 'start.sh';
/** The volume is mounted here; the data directory is a sub-directory so initialization can stage beside it. */
export const DATA_VOLUME_PATH = '/var/lib/mysql';
export const DEFAULT_DATA_DIR = `${DATA_VOLUME_PATH}/data`;
export const MYSQL_PORT = 3306;
/**
 * A rebuild (by the agent) unpacks a donor's copy into "$DATA_DIR$RESTORE_DIR_SUFFIX" and writes
 * RESTORE_MARKER there when it is whole and prepared; the start script then swaps it in before
 * the server starts, and boots it once with RESTORE_INIT_SQL (its replication position).
 */
export const RESTORE_DIR_SUFFIX = '.restore';
export const RESTORE_MARKER = 'webstack-restore.json';
export const RESTORE_INIT_SQL = 'webstack-restore-init.sql';
/** The binlog's and relay log's base names: files `<base>.NNNNNN` and `<base>.index` in the data directory. */
export const BINLOG_BASENAME = 'binlog';
export const RELAY_LOG_BASENAME = 'relay-bin';

/** MySQL's rpl_semi_sync_source_timeout is a 32-bit count of milliseconds. */
const MYSQL_MAX_SEMISYNC_TIMEOUT_MS = 4294967295;

type Database = ResolvedSpec['database'];

function mysqlServerConfig(db: Database): string[] {
  const lines = [
    'gtid_mode = ON',
    'enforce_gtid_consistency = ON',
    'log_replica_updates = ON',
    'super_read_only = ON',
    'skip_replica_start = ON',
    // The X protocol is not used; off, it needs no socket on the read-only root filesystem.
    'mysqlx = OFF',
  ];
  // The clone plugin rebuilds an instance from a donor (src/mysql/sql/mysql-clone.ts). Loaded from
  // the config rather than INSTALL PLUGIN, which would write mysql.plugin (and a GTID) on a read-only replica.
  const plugins = [...(db.replication.mode === 'semisync' ? ['semisync_source.so', 'semisync_replica.so'] : []), 'mysql_clone.so'];
  lines.push(`plugin_load_add = ${plugins.join(';')}`);
  if (db.replication.mode === 'semisync') {
    const timeoutMs = Math.min(db.replication.semiSyncTimeoutSeconds * 1000, MYSQL_MAX_SEMISYNC_TIMEOUT_MS);
    lines.push(
      // `loose_`: the plugins' variables exist only once the plugins are loaded, which
      // `mysqld --initialize-insecure` does not do; the prefix keeps it from refusing them.
      // Every instance boots read-only as a would-be replica; the operator turns the source
      // side on when it makes an instance the primary.
      'loose_rpl_semi_sync_source_enabled = OFF',
      'loose_rpl_semi_sync_replica_enabled = ON',
      'loose_rpl_semi_sync_source_wait_point = AFTER_SYNC',
      'loose_rpl_semi_sync_source_wait_for_replica_count = 1',
      `loose_rpl_semi_sync_source_timeout = ${timeoutMs}`,
    );
  }
  return lines;
}

function mariadbServerConfig(db: Database): string[] {
  const lines = [
    'gtid_strict_mode = ON',
    'log_slave_updates = ON',
    'skip_slave_start',
    // Every instance boots as a would-be replica, so crash recovery rolls back a transaction that
    // reached the binlog but was never committed (with AFTER_SYNC: no replica acknowledged it, no
    // client was told) and cuts it from the binlog, instead of committing it and diverging from
    // the new primary (MDEV-21117; since 10.6.19, 10.11.9 and 11.4.3 this option triggers it,
    // not rpl_semi_sync_slave_enabled: MDEV-33465).
    'init_rpl_role = SLAVE',
    // MariaDB replicas fetch again from their GTID position after a crash. (Not on MySQL 8.4:
    // there it would discard relay-log events a semi-sync replica already acknowledged, and its
    // default recovery is already crash-safe.)
    'relay_log_recovery = ON',
    // A replica reconnects to a lost primary once a second (MASTER_CONNECT_RETRY) and never stops
    // trying: the highest count a 32-bit build takes, 136 years at that rate (10.11 and 11.4 set it
    // only at startup; CHANGE MASTER learns MASTER_RETRY_COUNT in 12.0).
    'master_retry_count = 4294967295',
  ];
  if (db.replication.mode === 'semisync') {
    lines.push(
      // Built into the server since 10.3; the master side is turned on by the operator at promotion.
      'rpl_semi_sync_master_enabled = OFF',
      'rpl_semi_sync_slave_enabled = ON',
      'rpl_semi_sync_master_wait_point = AFTER_SYNC',
      `rpl_semi_sync_master_timeout = ${db.replication.semiSyncTimeoutSeconds * 1000}`,
    );
  }
  return lines;
}

/**
 * The [mysqld] section every instance of the stack shares. Per-pod values (server_id, report_host,
 * port, bind address, socket, data directory) come from the start script's command line.
 */
export function renderServerConfig(db: Database): string {
  const common = [
    `log_bin = ${BINLOG_BASENAME}`,
    'binlog_format = ROW',
    'sync_binlog = 1',
    'innodb_flush_log_at_trx_commit = 1',
    'binlog_expire_logs_seconds = 604800',
    // Named explicitly so the relay log survives a change of host name.
    `relay_log = ${RELAY_LOG_BASENAME}`,
    'read_only = ON',
    // Accounts are granted to '%': no reverse DNS lookup on every connection.
    'skip_name_resolve = ON',
  ];
  const engine = db.engine === 'mysql' ? mysqlServerConfig(db) : mariadbServerConfig(db);
  return [
    `# webstack-operator: ${db.engine} server configuration, replication mode ${db.replication.mode}`,
    '[mysqld]',
    ...common,
    ...engine,
    '',
  ].join('\n');
}

interface EngineScript {
  server: string;
  client: string;
  initialize: string;
  /** Options that keep the server read-only, even for accounts with SUPER. */
  readOnly: string;
  readWrite: string;
  skipReplicaStart: string;
  /** Statements run after the admin account exists, before the first real start. */
  lockDown: string[];
}

const engines: Record<DatabaseEngine, EngineScript> = {
  mysql: {
    server: 'mysqld',
    client: 'mysql',
    initialize: '"$MYSQLD" --defaults-file="$CONFIG_FILE" --initialize-insecure --datadir="$stage" --skip-log-bin $user_opt >&2',
    readOnly: '--read-only=ON --super-read-only=ON',
    readWrite: '--read-only=OFF --super-read-only=OFF',
    skipReplicaStart: '--skip-replica-start',
    // --initialize-insecure leaves root@localhost without a password; the admin account replaces it.
    lockDown: [`ALTER USER 'root'@'localhost' ACCOUNT LOCK;`],
  },
  mariadb: {
    server: 'mariadbd',
    client: 'mariadb',
    initialize: '"$INSTALL_DB" --defaults-file="$CONFIG_FILE" --datadir="$stage" --auth-root-authentication-method=socket --skip-test-db --skip-log-bin $user_opt >/dev/null',
    readOnly: '--read-only=ON',
    readWrite: '--read-only=OFF',
    skipReplicaStart: '--skip-slave-start',
    // root@localhost is reachable only by the system root user (unix_socket), which pods never are.
    lockDown: [],
  },
};

/**
 * A copy the agent put beside the data directory (complete once its marker exists: a MariaDB
 * rebuild, or a restored backup of either engine) replaces the data directory before the server
 * starts; the first boot on it runs its init SQL (MariaDB: gtid_slave_pos at the copy's position;
 * a restore: the admin account's new password), later boots don't, and remove it.
 */
const restoreBlock = `
restore_dir="$DATA_DIR${RESTORE_DIR_SUFFIX}"
init_opt=""
if [ -f "$restore_dir/${RESTORE_MARKER}" ]; then
  log "replacing $DATA_DIR with the copy rebuilt in $restore_dir"
  install_data_dir "$restore_dir"
  init_opt="--init-file=$DATA_DIR/${RESTORE_INIT_SQL}"
else
  rm -f "$DATA_DIR/${RESTORE_INIT_SQL}"
fi
`;

/**
 * The start script every database pod runs (`sh start.sh`); the sandbox and the failover tests
 * run it the same way. Environment contract:
 *   POD_NAME (required; server_id = 100 + the digits after the last '-'),
 *   ADMIN_USER, ADMIN_PASSWORD (required when the data directory is initialized),
 *   DATA_DIR (default /var/lib/mysql/data; its parent must be writable),
 *   CONFIG_FILE (default /etc/mysql/webstack/webstack.cnf), PORT (3306),
 *   BIND_ADDRESS (*: every IPv4 and IPv6 address, so IPv6-only clusters reach it; both engines),
 *   SOCKET ($DATA_DIR/mysqld.sock), REPORT_HOST ($POD_NAME),
 *   MYSQLD (mysqld | mariadbd), INSTALL_DB (mariadb-install-db), CLIENT (mysql | mariadb),
 *   INIT_TIMEOUT_SECONDS (120: how long the temporary server may take to start),
 *   TLS_DIR (unset: no TLS; else the mounted <stack>-mysql-tls Secret: with its certificate, key and
 *   CA bundle present the server serves TLS and requires it of every TCP client; without them it
 *   starts without TLS, so a stack upgraded from a version without certificates keeps running).
 */
export function renderStartScript(engine: DatabaseEngine): string {
  const e = engines[engine];
  return `#!/bin/sh
# webstack-operator: start a ${engine} instance of a WebStack.
# On an empty data directory: initialize it and create the operator's admin account with binary
# logging off, so the instance has no transactions (GTIDs) of its own. Then run the server in the
# foreground, read-only, with replication not started: only the operator makes an instance the
# primary. Initialization happens in "$DATA_DIR.init" and is renamed into place when complete,
# so a pod killed half-way simply starts over.
set -eu

: "\${POD_NAME:?POD_NAME is required}"
DATA_DIR="\${DATA_DIR:-${DEFAULT_DATA_DIR}}"
CONFIG_FILE="\${CONFIG_FILE:-${DATABASE_CONFIG_DIR}/${SERVER_CONFIG_KEY}}"
PORT="\${PORT:-${MYSQL_PORT}}"
BIND_ADDRESS="\${BIND_ADDRESS:-*}"
SOCKET="\${SOCKET:-$DATA_DIR/mysqld.sock}"
REPORT_HOST="\${REPORT_HOST:-$POD_NAME}"
MYSQLD="\${MYSQLD:-${e.server}}"
${engine === 'mariadb' ? 'INSTALL_DB="${INSTALL_DB:-mariadb-install-db}"\n' : ''}CLIENT="\${CLIENT:-${e.client}}"
INIT_TIMEOUT_SECONDS="\${INIT_TIMEOUT_SECONDS:-120}"
TLS_DIR="\${TLS_DIR:-}"

log() { echo "start.sh: $*" >&2; }

ordinal="\${POD_NAME##*-}"
case "$ordinal" in
  ''|*[!0-9]*) log "POD_NAME '$POD_NAME' does not end in -<ordinal>"; exit 1 ;;
esac
# Strip leading zeros: sh arithmetic reads them as octal.
ordinal="\${ordinal#"\${ordinal%%[!0]*}"}"
server_id=$((100 + \${ordinal:-0}))

# The server refuses to run as root unless told to (tests and some runtimes start us as root).
user_opt=""
if [ "$(id -u)" = 0 ]; then user_opt="--user=root"; fi

is_empty() {
  [ -z "$(ls -A "$1" 2>/dev/null | grep -v '^lost+found$' || true)" ]
}

# An SQL string literal body: quotes doubled, backslashes escaped (the default sql_mode).
sql_string() {
  printf '%s' "$1" | sed -e 's/\\\\/\\\\\\\\/g' -e "s/'/''/g"
}

initialize() {
  : "\${ADMIN_USER:?ADMIN_USER is required to initialize $DATA_DIR}"
  : "\${ADMIN_PASSWORD:?ADMIN_PASSWORD is required to initialize $DATA_DIR}"
  stage="$DATA_DIR.init"
  rm -rf "$stage"
  mkdir -p "$stage"
  log "initializing $stage"
  ${e.initialize}

  # A temporary server, reachable only through a private socket, creates the admin account.
  # The password travels on the client's stdin (printf is a shell builtin): never in argv or a file.
  init_socket="$stage/init.sock"
  "$MYSQLD" --defaults-file="$CONFIG_FILE" --datadir="$stage" --socket="$init_socket" \\
    --pid-file="$stage/init.pid" --skip-networking --skip-log-bin --skip-grant-tables \\
    --server-id="$server_id" ${e.readWrite} ${e.skipReplicaStart} $user_opt >&2 &
  init_pid=$!
  # Whatever fails from here on, the temporary server must not outlive the script.
  trap 'kill "$init_pid" 2>/dev/null || true' EXIT
  waited=0
  until "$CLIENT" --no-defaults --protocol=socket --socket="$init_socket" -uroot -e 'SELECT 1' >/dev/null 2>&1; do
    if ! kill -0 "$init_pid" 2>/dev/null; then log "the temporary server exited during initialization"; exit 1; fi
    if [ "$waited" -ge "$((INIT_TIMEOUT_SECONDS * 2))" ]; then
      log "the temporary server did not answer within \${INIT_TIMEOUT_SECONDS}s"; kill "$init_pid"; exit 1
    fi
    sleep 0.5
    waited=$((waited + 1))
  done
  user="$(sql_string "$ADMIN_USER")"
  password="$(sql_string "$ADMIN_PASSWORD")"
  # FLUSH PRIVILEGES loads the grant tables that --skip-grant-tables left out, so accounts can be created.
  printf '%s\\n' \\
    "SET SESSION sql_log_bin = 0;" \\
    "FLUSH PRIVILEGES;" \\
    "CREATE USER '$user'@'%' IDENTIFIED BY '$password';" \\
    "GRANT ALL PRIVILEGES ON *.* TO '$user'@'%' WITH GRANT OPTION;" \\
${e.lockDown.map((sql) => `    "${sql}" \\\n`).join('')}    | "$CLIENT" --no-defaults --protocol=socket --socket="$init_socket" -uroot
  unset user password
  kill -TERM "$init_pid"
  wait "$init_pid" || { log "the temporary server did not shut down cleanly"; exit 1; }
  trap - EXIT
  rm -f "$init_socket" "$stage/init.pid"

  install_data_dir "$stage"
  log "initialized $DATA_DIR"
}

# Puts directory $1 in the place of DATA_DIR. A run cut short leaves $1 complete and DATA_DIR
# absent or old, and the next run does it again.
install_data_dir() {
  if rmdir "$DATA_DIR" 2>/dev/null || [ ! -e "$DATA_DIR" ]; then
    mv "$1" "$DATA_DIR"
  elif [ -d "$DATA_DIR" ] && rm -rf "$DATA_DIR.old" && mv "$DATA_DIR" "$DATA_DIR.old" 2>/dev/null; then
    mv "$1" "$DATA_DIR"
    rm -rf "$DATA_DIR.old"
  else
    # DATA_DIR cannot be replaced (a mount point): replace the contents instead.
    find "$DATA_DIR" -mindepth 1 -maxdepth 1 ! -name lost+found -exec rm -rf {} +
    find "$1" -mindepth 1 -maxdepth 1 -exec mv {} "$DATA_DIR/" \\;
    rmdir "$1"
  fi
}
${restoreBlock}
if is_empty "$DATA_DIR"; then initialize; fi
# The server doesn't need the password, and it would be readable in its environment.
unset ADMIN_PASSWORD

# The unix socket (probes, initialization) counts as secure: require_secure_transport binds TCP only.
tls_opts=""
if [ -n "$TLS_DIR" ] && [ -s "$TLS_DIR/${TLS_SECRET_KEYS.certificate}" ] && [ -s "$TLS_DIR/${TLS_SECRET_KEYS.privateKey}" ] && [ -s "$TLS_DIR/${TLS_SECRET_KEYS.caBundle}" ]; then
  tls_opts="--ssl-ca=$TLS_DIR/${TLS_SECRET_KEYS.caBundle} --ssl-cert=$TLS_DIR/${TLS_SECRET_KEYS.certificate} --ssl-key=$TLS_DIR/${TLS_SECRET_KEYS.privateKey} --require-secure-transport=ON"
  log "TLS with the certificate in $TLS_DIR, required of every TCP client"
elif [ -n "$TLS_DIR" ]; then
  log "no certificate in $TLS_DIR: serving without TLS"
fi

log "starting $MYSQLD: server_id $server_id, $BIND_ADDRESS:$PORT, report_host $REPORT_HOST"
exec "$MYSQLD" --defaults-file="$CONFIG_FILE" --datadir="$DATA_DIR" --server-id="$server_id" \\
  --port="$PORT" --bind-address="$BIND_ADDRESS" --socket="$SOCKET" --report-host="$REPORT_HOST" \\
  --pid-file="$DATA_DIR/mysqld.pid" ${e.readOnly} ${e.skipReplicaStart} $tls_opts $user_opt $init_opt
`;
}
