/** The first boot's SQL on a restored copy: no password in it, the binlog starting at the copy's position. */
import { describe, expect, it } from '@jest/globals';
import { nativePasswordHash, restoredPrimaryInitSql } from '../../src/agent/backup-restore.js';
import { accountStatements } from '../../src/backup/physical-restore.js';
import { mariadbDialect } from '../../src/mysql/sql/mariadb-dialect.js';

describe('restoredPrimaryInitSql', () => {
  it('hashes the password as MariaDB PASSWORD() does', () => {
    expect(nativePasswordHash('password')).toBe('*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19');
  });

  it('starts the binlog at the copy\'s position, drops its replication source and sets the admin password by hash', () => {
    const sql = restoredPrimaryInitSql('0-101-57', "o'neil", 'the-new-password');
    expect(sql).not.toContain('the-new-password');
    expect(sql.split('\n').filter(Boolean)).toEqual([
      'SET SESSION sql_log_bin = 0;',
      'STOP ALL SLAVES;',
      'RESET SLAVE ALL;',
      'RESET MASTER;',
      "SET GLOBAL gtid_binlog_state = '0-101-57';",
      "SET GLOBAL gtid_slave_pos = '0-101-57';",
      `CREATE USER IF NOT EXISTS 'o''neil'@'%' IDENTIFIED BY PASSWORD '${nativePasswordHash('the-new-password')}';`,
      `ALTER USER 'o''neil'@'%' IDENTIFIED BY PASSWORD '${nativePasswordHash('the-new-password')}';`,
      "GRANT ALL PRIVILEGES ON *.* TO 'o''neil'@'%' WITH GRANT OPTION;",
    ]);
  });

  it('refuses a position that is not a GTID list', () => {
    expect(() => restoredPrimaryInitSql("0-1-2'; DROP", 'a', 'b')).toThrow("'0-1-2'; DROP' is not a GTID list");
  });
});

describe('after a physical restore', () => {
  it('gives the replication, app and exporter accounts the new stack\'s passwords', () => {
    const statements = accountStatements(mariadbDialect, {
      adminUser: 'webstack-admin', adminPassword: 'a', replicationUser: 'webstack-repl', replicationPassword: 'r', databaseName: 'app', appUser: 'app', appPassword: 'p',
      exporterUser: 'webstack-exporter', exporterPassword: 'e',
    });
    expect(statements.slice(-3)).toEqual([
      "ALTER USER 'webstack-repl'@'%' IDENTIFIED BY 'r'", "ALTER USER 'app'@'%' IDENTIFIED BY 'p'", "ALTER USER 'webstack-exporter'@'%' IDENTIFIED BY 'e'",
    ]);
    expect(statements).toContain("CREATE USER IF NOT EXISTS 'app'@'%' IDENTIFIED BY 'p'");
  });
});
