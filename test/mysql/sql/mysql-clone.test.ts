/**
 * The MySQL 8.4 clone SQL, read against the manual (7.6.7 "The Clone Plugin"): 7.6.7.3 "Cloning
 * Remote Data" gives `CLONE INSTANCE FROM 'user'@'host':port IDENTIFIED BY 'password'`, the
 * donor user's BACKUP_ADMIN, the recipient's CLONE_ADMIN, clone_valid_donor_list as 'host:port',
 * and says IPv6 addresses are not supported; 7.6.7.10 describes performance_schema.clone_status
 * with STATE 'Not Started' | 'In Progress' | 'Completed' | 'Failed'.
 */
import { describe, expect, it } from '@jest/globals';
import {
  CLONE_PLUGIN_STATUS, CLONE_STATUS, cloneDonorGrants, cloneRecipientStatements, parseCloneStatus,
} from '../../../src/mysql/sql/mysql-clone.js';

const donor = { host: 'shop-mysql-1.shop-mysql.shop.svc.cluster.local', port: 3306, user: 'repl', password: "r'pw" };

describe('MySQL 8.4 clone SQL', () => {
  it('grants the donor user BACKUP_ADMIN', () => {
    expect(cloneDonorGrants('repl')).toEqual(["GRANT BACKUP_ADMIN ON *.* TO 'repl'@'%'"]);
  });

  it('names the donor as a valid donor, then clones from it with the password quoted', () => {
    expect(cloneRecipientStatements(donor)).toEqual([
      "SET GLOBAL clone_valid_donor_list = 'shop-mysql-1.shop-mysql.shop.svc.cluster.local:3306'",
      "CLONE INSTANCE FROM 'repl'@'shop-mysql-1.shop-mysql.shop.svc.cluster.local':3306 IDENTIFIED BY 'r\\'pw'",
    ]);
    expect(cloneRecipientStatements({ ...donor, host: '10.0.0.7' })[0]).toBe("SET GLOBAL clone_valid_donor_list = '10.0.0.7:3306'");
  });

  it('refuses an IPv6 donor address and a host that is not one', () => {
    expect(() => cloneRecipientStatements({ ...donor, host: 'fd00::7' })).toThrow(/does not accept IPv6 addresses; use the pod's DNS name/);
    expect(() => cloneRecipientStatements({ ...donor, host: "x':1 IDENTIFIED BY 'y" })).toThrow(/is not a host name or IPv4 address/);
  });

  it('reads the plugin and the clone progress from their tables', () => {
    expect(CLONE_PLUGIN_STATUS).toBe("SELECT PLUGIN_STATUS AS status FROM information_schema.PLUGINS WHERE PLUGIN_NAME = 'clone'");
    expect(CLONE_STATUS).toMatch(/FROM performance_schema\.clone_status$/);
  });

  it.each([
    [[], { state: 'none' }],
    [[{ state: 'In Progress', source: 'h:3306' }], { state: 'running', source: 'h:3306' }],
    [[{ state: 'Not Started', source: 'h:3306' }], { state: 'running', source: 'h:3306' }],
    [[{ state: 'Completed', source: 'h:3306', error_no: 0 }], { state: 'completed', source: 'h:3306' }],
    [[{ state: 'Failed', source: 'h:3306', error_no: 3862, error_message: 'Clone Donor Error' }], { state: 'failed', source: 'h:3306', error: '3862: Clone Donor Error' }],
  ])('clone_status %j -> %j', (rows, progress) => {
    expect(parseCloneStatus(rows)).toEqual(progress);
  });
});
