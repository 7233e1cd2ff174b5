/**
 * The server configuration's text for both engines. MariaDB's is also started for real in
 * mysql-start-script.test.ts; MySQL 8.4 can't be installed here, so its syntax is pinned down here.
 */
import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveSpec } from '../../src/api/defaults.js';
import type { DatabaseSpec, WebStack } from '../../src/api/types.js';
import { renderServerConfig, renderStartScript } from '../../src/render/mysql-config.js';

function configFor(database: DatabaseSpec): Map<string, string> {
  const ws: WebStack = { apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStack', metadata: { name: 'shop' }, spec: { apps: [], database } };
  const text = renderServerConfig(resolveSpec(ws).database);
  const lines = text.split('\n').filter((l) => l && !l.startsWith('#'));
  expect(lines[0]).toBe('[mysqld]');
  const settings = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const [key, value] = line.split(' = ');
    expect(settings.has(key)).toBe(false);
    settings.set(key, value ?? '');
  }
  return settings;
}

const common = {
  log_bin: 'binlog', binlog_format: 'ROW', sync_binlog: '1', innodb_flush_log_at_trx_commit: '1',
  read_only: 'ON',
};

describe('renderServerConfig', () => {
  it.each<[string, DatabaseSpec, Record<string, string>]>([
    ['mysql semisync', { engine: 'mysql' }, {
      ...common, gtid_mode: 'ON', enforce_gtid_consistency: 'ON', log_replica_updates: 'ON', super_read_only: 'ON',
      skip_replica_start: 'ON', mysqlx: 'OFF', plugin_load_add: 'semisync_source.so;semisync_replica.so;mysql_clone.so',
      loose_rpl_semi_sync_source_enabled: 'OFF', loose_rpl_semi_sync_replica_enabled: 'ON',
      loose_rpl_semi_sync_source_wait_point: 'AFTER_SYNC', loose_rpl_semi_sync_source_wait_for_replica_count: '1',
      loose_rpl_semi_sync_source_timeout: '4294967295',
    }],
    ['mysql semisync with a short timeout', { engine: 'mysql', replication: { semiSyncTimeoutSeconds: 10 } }, {
      loose_rpl_semi_sync_source_timeout: '10000',
    }],
    ['mysql async loads only the clone plugin', { engine: 'mysql', replication: { mode: 'async' } }, { plugin_load_add: 'mysql_clone.so' }],
    ['mariadb semisync', { engine: 'mariadb', replication: { mode: 'semisync', semiSyncTimeoutSeconds: 30 } }, {
      ...common, relay_log_recovery: 'ON', gtid_strict_mode: 'ON', log_slave_updates: 'ON', skip_slave_start: '', master_retry_count: '4294967295',
      rpl_semi_sync_master_enabled: 'OFF', rpl_semi_sync_slave_enabled: 'ON',
      rpl_semi_sync_master_wait_point: 'AFTER_SYNC', rpl_semi_sync_master_timeout: '30000',
    }],
  ])('%s', (_name, database, expected) => {
    const settings = configFor(database);
    for (const [key, value] of Object.entries(expected)) expect([key, settings.get(key)]).toEqual([key, value]);
  });

  it.each<[DatabaseSpec, string[]]>([
    // relay_log_recovery on MySQL 8.4 would drop relay-log events a semi-sync replica already acknowledged.
    // MySQL 8.4 takes SOURCE_RETRY_COUNT in CHANGE REPLICATION SOURCE TO instead.
    [{ engine: 'mysql' }, ['master_retry_count', 'gtid_strict_mode', 'log_slave_updates', 'skip_slave_start', 'rpl_semi_sync_master_timeout', 'relay_log_recovery']],
    [{ engine: 'mariadb' }, ['gtid_mode', 'super_read_only', 'log_replica_updates', 'skip_replica_start', 'plugin_load_add', 'mysqlx']],
    [{ engine: 'mysql', replication: { mode: 'async' } }, ['loose_rpl_semi_sync_source_enabled', 'loose_rpl_semi_sync_source_timeout']],
    [{ engine: 'mariadb', replication: { mode: 'async' } }, ['rpl_semi_sync_slave_enabled', 'rpl_semi_sync_master_timeout']],
  ])('%j has none of the other syntax or mode: %j', (database, absent) => {
    const settings = configFor(database);
    for (const key of absent) expect([key, settings.has(key)]).toEqual([key, false]);
  });
});

it('the real mariadbd reads master_retry_count from the rendered configuration: replicas never stop retrying', () => {
  const ws: WebStack = { apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStack', metadata: { name: 'shop' }, spec: { apps: [], database: { engine: 'mariadb' } } };
  const dir = mkdtempSync(path.join(tmpdir(), 'cnf-'));
  const file = path.join(dir, 'my.cnf');
  writeFileSync(file, renderServerConfig(resolveSpec(ws).database));
  const help = execFileSync('mariadbd', [`--defaults-file=${file}`, '--verbose', '--help'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  rmSync(dir, { recursive: true });
  expect(help).toMatch(/^master-retry-count\s+4294967295$/m);
});

describe('renderStartScript for mysql', () => {
  const script = renderStartScript('mysql');

  it('is valid POSIX sh', () => {
    execFileSync('sh', ['-n'], { input: script });
  });

  it.each([
    ['initializes with mysqld --initialize-insecure and no binary log', /"\$MYSQLD" --defaults-file="\$CONFIG_FILE" --initialize-insecure --datadir="\$stage" --skip-log-bin/],
    ['defaults to mysqld and the mysql client', /MYSQLD="\$\{MYSQLD:-mysqld\}"[\s\S]*CLIENT="\$\{CLIENT:-mysql\}"/],
    ['starts super-read-only without replication', /exec "\$MYSQLD" [\s\S]*--read-only=ON --super-read-only=ON --skip-replica-start/],
    ['locks the password-less root account', /ALTER USER 'root'@'localhost' ACCOUNT LOCK;/],
    ['creates the admin account with binary logging off', /SET SESSION sql_log_bin = 0;[\s\S]*CREATE USER '\$user'@'%'/],
  ])('%s', (_name, pattern) => {
    expect(script).toMatch(pattern);
  });

  it('shares nothing MariaDB-specific', () => {
    expect(script).not.toMatch(/mariadb|skip-slave-start/);
  });
});

describe('the bind address', () => {
  it.each(['mysql', 'mariadb'] as const)('%s listens on every IPv4 and IPv6 address by default (*), so IPv6-only clusters reach it', (engine) => {
    const script = renderStartScript(engine);
    expect(script).toContain('BIND_ADDRESS="${BIND_ADDRESS:-*}"');
    expect(script).not.toContain('0.0.0.0');
  });
});
