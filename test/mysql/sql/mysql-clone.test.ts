/**
 * The MySQL 8.4 clone SQL, read against the manual (7.6.7 "The Clone Plugin"): 7.6.7.3 "Cloning
 * Remote Data" gives `CLONE INSTANCE FROM 'user'@'host':port IDENTIFIED BY 'password' [REQUIRE
 * [NO] SSL]`, the donor user's BACKUP_ADMIN, the recipient's CLONE_ADMIN, clone_valid_donor_list
 * as 'host:port', says IPv6 addresses are not supported, and that without a supervisor the
 * statement ends with error 3707 and the server must be restarted; 7.6.7.8 cancels a clone with
 * KILL QUERY; 7.6.7.2 gives `CLONE LOCAL DATA DIRECTORY [=] 'clone_dir'` (absolute, not existing); 29.12.19.1-2 describe performance_schema.clone_status (STATE 'Not Started' | 'In
 * Progress' | 'Completed' | 'Failed', PID, BEGIN_TIME, END_TIME, SOURCE, ERROR_NO, ERROR_MESSAGE,
 * BINLOG_FILE, BINLOG_POSITION, GTID_EXECUTED) and clone_progress (DATA per stage).
 */
import { describe, expect, it } from '@jest/globals';
import {
  cancelClone, cloneLocalStatement, CLONE_PLUGIN_STATUS, CLONE_STATUS, cloneRecipientStatements, parseCloneStatus,
} from '../../../src/mysql/sql/mysql-clone.js';

const donor = { host: 'shop-mysql-1.shop-mysql.shop.svc.cluster.local', port: 3306, user: 'admin', password: "r'pw" };

describe('MySQL 8.4 clone SQL', () => {
  it('names the donor as a valid donor, then clones from it with the password quoted; TLS when the donor requires it', () => {
    expect(cloneRecipientStatements(donor)).toEqual([
      "SET GLOBAL clone_valid_donor_list = 'shop-mysql-1.shop-mysql.shop.svc.cluster.local:3306'",
      "CLONE INSTANCE FROM 'admin'@'shop-mysql-1.shop-mysql.shop.svc.cluster.local':3306 IDENTIFIED BY 'r\\'pw'",
    ]);
    expect(cloneRecipientStatements({ ...donor, host: '10.0.0.7' })[0]).toBe("SET GLOBAL clone_valid_donor_list = '10.0.0.7:3306'");
    expect(cloneRecipientStatements({ ...donor, host: '10.0.0.7', tls: true })[1])
      .toBe("CLONE INSTANCE FROM 'admin'@'10.0.0.7':3306 IDENTIFIED BY 'r\\'pw' REQUIRE SSL");
  });

  it('refuses an IPv6 donor address and a host that is not one', () => {
    expect(() => cloneRecipientStatements({ ...donor, host: 'fd00::7' })).toThrow(/does not accept IPv6 addresses; use the pod's DNS name/);
    expect(() => cloneRecipientStatements({ ...donor, host: "x':1 IDENTIFIED BY 'y" })).toThrow(/is not a host name or IPv4 address/);
  });

  it('reads the plugin and the clone from their tables, and cancels a clone by its session', () => {
    expect(CLONE_PLUGIN_STATUS).toBe("SELECT PLUGIN_STATUS AS status FROM information_schema.PLUGINS WHERE PLUGIN_NAME = 'clone'");
    expect(CLONE_STATUS).toMatch(/^SELECT s\.PID AS pid, s\.STATE AS state, .*FROM performance_schema\.clone_status s$/);
    expect(CLONE_STATUS).toContain('FROM performance_schema.clone_progress p');
    expect(CLONE_STATUS).toContain("WHERE VARIABLE_NAME = 'Uptime'");
    expect(cancelClone(42)).toBe('KILL QUERY 42');
    expect(cloneLocalStatement('/var/lib/mysql/webstack-clone-nightly')).toBe("CLONE LOCAL DATA DIRECTORY = '/var/lib/mysql/webstack-clone-nightly'");
    expect(() => cloneLocalStatement('webstack-clone-nightly')).toThrow(/is not an absolute path/);
  });

  const begun = { begin_time: '2026-12-04 12:00:01.250000', source: '10.0.0.7:3306', pid: 42, bytes: '1048576', begun_seconds_ago: 30 };
  it.each([
    ['no clone ever', [], { state: 'none' }],
    ['copying, its session running', [{ ...begun, state: 'In Progress', clone_sessions: 1, uptime: 900 }],
      { state: 'running', id: '2026-12-04 12:00:01.250000', source: '10.0.0.7:3306', bytes: 1048576, session: 42 }],
    ['not started yet', [{ ...begun, state: 'Not Started', clone_sessions: 1, uptime: 900 }], expect.objectContaining({ state: 'running' })],
    ['in progress, its session gone, no restart since: the copy waits for one', [{ ...begun, state: 'In Progress', clone_sessions: 0, uptime: 900 }],
      { state: 'awaiting-restart', id: '2026-12-04 12:00:01.250000', source: '10.0.0.7:3306', bytes: 1048576 }],
    ['error 3707, no restart since', [{ ...begun, state: 'Failed', error_no: 3707, error_message: 'Restart server failed (mysqld is not managed by supervisor process).', clone_sessions: 0, uptime: 900 }],
      expect.objectContaining({ state: 'awaiting-restart' })],
    ['in progress after the restart (recovering the copy)', [{ ...begun, state: 'In Progress', clone_sessions: 0, uptime: 3 }], expect.objectContaining({ state: 'running', session: 0 })],
    ['completed, the server restarted on it', [{ ...begun, state: 'Completed', error_no: 0, clone_sessions: 0, uptime: 3, duration_ms: 27_400,
      gtid_executed: '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-90,\n4f22fa47-71ca-11e1-9e33-c80aa9429562:1-3', binlog_file: 'binlog.000004', binlog_position: '1573' }],
    { state: 'completed', id: '2026-12-04 12:00:01.250000', source: '10.0.0.7:3306', bytes: 1048576, durationMs: 27_400,
      gtid: '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-90,4f22fa47-71ca-11e1-9e33-c80aa9429562:1-3', binlogFile: 'binlog.000004', binlogPosition: 1573 }],
    ['completed but not restarted on', [{ ...begun, state: 'Completed', error_no: 0, clone_sessions: 0, uptime: 900 }], expect.objectContaining({ state: 'awaiting-restart' })],
    ['a local clone (a backup) completed: no restart to wait for', [{ ...begun, source: 'LOCAL INSTANCE', state: 'Completed', error_no: 0, clone_sessions: 0,
      uptime: 900, duration_ms: 2300, gtid_executed: '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-90', binlog_file: 'binlog.000004', binlog_position: 157 }],
    expect.objectContaining({ state: 'completed', source: 'LOCAL INSTANCE', gtid: '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-90' })],
    ['failed', [{ ...begun, state: 'Failed', error_no: 3862, error_message: 'Clone Donor Error: 1045 : Access denied for user', clone_sessions: 0, uptime: 900 }],
      { state: 'failed', id: '2026-12-04 12:00:01.250000', source: '10.0.0.7:3306', error: '3862: Clone Donor Error: 1045 : Access denied for user' }],
  ])('clone_status: %s', (_what, rows, progress) => {
    expect(parseCloneStatus(rows)).toEqual(progress);
  });
});
