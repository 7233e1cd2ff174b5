/** What MySQL 8.4 stacks are refused before anything is read from the stack or the store, naming the field. */
import { describe, expect, it } from '@jest/globals';
import type { WebStackBackup } from '../../../src/api/backup-types.js';
import type { WebStack } from '../../../src/api/types.js';
import type { KubeClient } from '../../../src/kube/client.js';
import { BackupRunner } from '../../../src/controller/backup/backup-runner.js';
import { RestoreRunner } from '../../../src/controller/backup/restore-runner.js';
import { systemClock } from '../../../src/clock.js';
import type { StackAccess } from '../../../src/controller/backup/stack-access.js';

const stack = (engine: 'mysql' | 'mariadb'): WebStack => ({
  apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStack', metadata: { name: 'copy', namespace: 'shop' },
  spec: { apps: [{ name: 'web', image: 'web:1' }], database: { engine, restore: { backup: 'nightly' } } },
  status: { database: { primary: 'copy-mysql-0' } },
} as WebStack);

const backupOf = (engine: string): WebStackBackup => ({
  apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStackBackup', metadata: { name: 'nightly', namespace: 'shop' }, spec: { stack: 'shop' },
  status: { phase: 'Completed', engine, method: 'physical', location: 'shop/shop/backups/nightly', sha256: 'ab'.repeat(32) },
} as WebStackBackup);

/** Nothing of the stack may be touched: every access fails the test. */
const untouched = new Proxy({}, { get: (_t, key) => () => { throw new Error(`the restore touched the stack (${String(key)})`); } }) as StackAccess;

describe('RestoreRunner refusals', () => {
  it('refuses a MySQL backup that records no GTID position: the restored copy could not be checked', async () => {
    const client = { get: async () => backupOf('mysql') } as unknown as KubeClient;
    await expect(new RestoreRunner(untouched, client, true).run(stack('mysql'), { backup: 'nightly' }))
      .rejects.toThrow('WebStackBackup nightly records no GTID position: the restored copy could not be checked');
  });

  it('refuses a backup of the other engine', async () => {
    const client = { get: async () => backupOf('mysql') } as unknown as KubeClient;
    await expect(new RestoreRunner(untouched, client, true).run(stack('mariadb'), { backup: 'nightly' }))
      .rejects.toThrow('backup nightly is of a mysql stack and this stack runs mariadb (spec.database.engine)');
  });

  it('refuses a logical backup of a MySQL stack: physical (the clone plugin) is its method', async () => {
    const ws = stack('mysql');
    ws.spec.database!.backup = { method: 'logical' };
    await expect(new BackupRunner(untouched, systemClock, true).run(ws, backupOf('mysql')))
      .rejects.toThrow('spec.database.backup.method logical: MySQL 8.4 stacks are backed up physically only (the clone plugin); set method: physical');
  });
});
