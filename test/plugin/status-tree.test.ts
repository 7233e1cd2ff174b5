import { describe, expect, it } from '@jest/globals';
import type { WebStackBackup } from '../../src/api/backup-types.js';
import type { WebStack } from '../../src/api/types.js';
import { parseArgs } from '../../src/plugin/args.js';
import { statusTree } from '../../src/plugin/status-tree.js';

const backup = (name: string, created: string, status?: WebStackBackup['status']): WebStackBackup => ({
  apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStackBackup', metadata: { name, creationTimestamp: created }, spec: { stack: 'shop' }, status,
});

describe('statusTree', () => {
  it('draws a stack the operator has not observed, with nothing under its tiers', () => {
    const ws = { apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStack', metadata: { name: 'shop', namespace: 'prod' }, spec: { apps: [] } } as unknown as WebStack;
    expect(statusTree(ws, [])).toBe([
      'WebStack prod/shop: not observed yet', '├─ loadBalancer: 0 ready', '├─ apps', '├─ database: primary none',
      '├─ last failover: none', '├─ backups: last success never', '└─ conditions', '',
    ].join('\n'));
  });

  it('shows a rebuild in progress and where errant transactions were saved, under the database', () => {
    const ws = {
      apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStack', metadata: { name: 'shop', namespace: 'prod' }, spec: { apps: [] },
      status: { database: {
        primary: 'shop-mysql-1',
        instances: [{ name: 'shop-mysql-0', role: 'quarantined', ready: false }],
        rebuild: { instance: 'shop-mysql-0', donor: 'shop-mysql-2', reason: 'diverged', startedAt: '2026-12-04T10:00:00Z' },
        errantTransactionsSaved: [{ instance: 'shop-mysql-0', gtids: '0-100-91', configMap: 'shop-errant-shop-mysql-0-1', savedAt: '2026-12-04T09:59:59Z' }],
      } },
    } as unknown as WebStack;
    expect(statusTree(ws, []).split('\n').slice(3, 7)).toEqual([
      '├─ database: primary shop-mysql-1',
      '│  ├─ shop-mysql-0  quarantined  not ready',
      '│  ├─ rebuilding shop-mysql-0 from shop-mysql-2 since 2026-12-04T10:00:00Z (diverged)',
      "│  └─ shop-mysql-0's own transactions 0-100-91 saved in ConfigMap shop-errant-shop-mysql-0-1 at 2026-12-04T09:59:59Z",
    ]);
  });

  it('lists the newest backups first, at most maxBackups, with phase, size and completion', () => {
    const ws = {
      apiVersion: 'webstack.dev/v1alpha1', kind: 'WebStack', metadata: { name: 'shop', namespace: 'prod' }, spec: { apps: [] },
      status: { backup: { lastSuccessTime: '2026-12-04T06:00:12Z', recoverableFrom: '2026-12-01T00:00:00Z' } },
    } as unknown as WebStack;
    const lines = statusTree(ws, [
      backup('shop-a', '2026-12-02T00:00:00Z', { phase: 'Completed', size: 10, completionTime: '2026-12-02T00:01:00Z' }),
      backup('shop-c', '2026-12-04T00:00:00Z'),
      backup('shop-b', '2026-12-03T00:00:00Z', { phase: 'Failed' }),
    ], 2).split('\n');
    expect(lines.slice(5, 8)).toEqual([
      '├─ backups: last success 2026-12-04T06:00:12Z, recoverable 2026-12-01T00:00:00Z .. now',
      '│  ├─ shop-c  Pending',
      '│  └─ shop-b  Failed',
    ]);
  });
});

describe('parseArgs', () => {
  it.each([
    [['status', 'shop'], { verb: 'status', name: 'shop', namespace: undefined }],
    [['status', 'shop', '-n', 'prod'], { verb: 'status', name: 'shop', namespace: 'prod' }],
    [['switchover', '--namespace=prod', 'shop', '--to', 'shop-mysql-1'], { verb: 'switchover', name: 'shop', to: 'shop-mysql-1', namespace: 'prod' }],
    [['backup', 'shop'], { verb: 'backup', name: 'shop', namespace: undefined }],
    [['fence', 'shop-mysql-1', '-n', 'prod'], { verb: 'fence', name: 'shop-mysql-1', namespace: 'prod' }],
    [['unfence', 'shop-mysql-1'], { verb: 'unfence', name: 'shop-mysql-1', namespace: undefined }],
    [[], { verb: 'help' }],
    [['status', '--help'], { verb: 'help' }],
  ])('%j', (argv, command) => {
    expect(parseArgs(argv)).toEqual(command);
  });

  it.each([
    [['restart', 'shop-mysql-1'], 'unknown command "restart" (status, switchover, backup, fence, unfence)'],
    [['fence'], 'fence needs the database pod\'s name'],
    [['unfence', 'shop-mysql-1', '--to', 'x'], '--to belongs to switchover, not unfence'],
    [['status'], 'status needs the WebStack\'s name'],
    [['status', 'shop', 'extra'], 'unexpected argument "extra"'],
    [['switchover', 'shop'], 'switchover needs --to POD (the replica to promote)'],
    [['backup', 'shop', '--to', 'x'], '--to belongs to switchover, not backup'],
    [['status', 'shop', '-n'], '-n needs a value'],
    [['status', 'shop', '--watch'], 'unknown flag --watch'],
  ])('%j is refused', (argv, message) => {
    expect(parseArgs(argv)).toEqual(new Error(message));
  });
});
