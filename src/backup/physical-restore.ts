/**
 * Restoring a physical backup into a new stack's primary: the stored copy is checksummed whole
 * first and refused when it is not what the backup recorded; then it is uploaded to the primary's
 * agent, which checks it again, prepares it and restarts the server on it (src/agent/backup-restore.ts).
 * Once the server answers on the copy, the stack's own replication, app and exporter accounts get the new
 * stack's passwords (the copy carries the source stack's).
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AgentClient, AgentTarget } from '../agent/client.js';
import type { RestoreState } from '../agent/protocol.js';
import { measuring } from '../measuring-stream.js';
import type { InstanceAddress, ManagerCredentials } from '../mysql/ports.js';
import { quote } from '../mysql/sql/dialect.js';
import { mariadbDialect } from '../mysql/sql/mariadb-dialect.js';
import type { Login } from './client-tools.js';
import { PHYSICAL_OBJECT } from './locations.js';
import { checkDigest } from './restore.js';
import { query } from './server-queries.js';
import type { BackupStore } from './store.js';

export interface PhysicalRestoreOptions {
  store: BackupStore;
  location: string;
  sha256: string;
  backupName: string;
  agents: AgentClient;
  agent: AgentTarget;
  target: InstanceAddress;
  login: Login;
  credentials: ManagerCredentials;
  /** How long the server may take to come back on the copy. */
  restartTimeoutMs?: number;
}

/** The copy this restore put in place, whose server may still be starting (a retried attempt). */
export const restoredFrom = (state: RestoreState, backupName: string): boolean =>
  (state.phase === 'ready' || state.phase === 'restored') && state.donor === `backup ${backupName}`;

/** The new stack's accounts on a copy of another stack's server: created if missing, its passwords set. */
export function accountStatements(c: ManagerCredentials): string[] {
  return [
    ...mariadbDialect.bootstrapUsers(c),
    `ALTER USER ${quote(c.replicationUser)}@'%' IDENTIFIED BY ${quote(c.replicationPassword)}`,
    `ALTER USER ${quote(c.appUser)}@'%' IDENTIFIED BY ${quote(c.appPassword)}`,
    `ALTER USER ${quote(c.exporterUser)}@'%' IDENTIFIED BY ${quote(c.exporterPassword)}`,
  ];
}

async function verifyStored(opts: PhysicalRestoreOptions, key: string): Promise<void> {
  const measure = measuring();
  await pipeline(await opts.store.get(key), measure.stream, new Writable({ write: (_c, _e, cb) => cb() }));
  checkDigest(opts, key, measure.digest().sha256);
}

export async function restorePhysical(opts: PhysicalRestoreOptions): Promise<void> {
  const key = `${opts.location}/${PHYSICAL_OBJECT}`;
  if (!restoredFrom(await opts.agents.restoreState(opts.agent), opts.backupName)) {
    await verifyStored(opts, key);
    await opts.agents.restoreBackup(opts.agent, { name: opts.backupName, sha256: opts.sha256 }, await opts.store.get(key));
  }
  const deadline = Date.now() + (opts.restartTimeoutMs ?? 600_000);
  for (;;) {
    const state = await opts.agents.restoreState(opts.agent).catch(() => undefined);
    if (state?.phase === 'restored') {
      const up = await query(opts.target, opts.login, 'SELECT 1 AS up').then(() => true, () => false);
      if (up) break;
    }
    if (Date.now() > deadline) throw new Error(`${opts.target.name} did not come back on backup ${opts.backupName} within ${Math.round((opts.restartTimeoutMs ?? 600_000) / 1000)} s`);
    await sleep(500);
  }
  for (const sql of accountStatements(opts.credentials)) await query(opts.target, opts.login, sql);
  await opts.agents.forgetRestore(opts.agent);
}
