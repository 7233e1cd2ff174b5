/**
 * Restoring a physical backup into a new stack's primary: the stored copy is checksummed whole
 * first and refused when it is not what the backup recorded; then it is uploaded to the primary's
 * agent, which checks it again, prepares it (MariaDB) and restarts the server on it
 * (src/agent/backup-restore.ts). Once the server answers on the copy, the stack's own replication,
 * app and exporter accounts get the new stack's passwords (the copy carries the source stack's).
 * MySQL 8.4 boots it super-read-only, which holds account changes even for the admin: they wait until
 * the database manager has made it the writable primary again; before them, the server's
 * gtid_executed must hold the position the backup recorded.
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AgentClient, AgentTarget } from '../agent/client.js';
import type { RestoreState } from '../agent/protocol.js';
import { measuring } from '../measuring-stream.js';
import type { DatabaseEngine } from '../api/types.js';
import type { InstanceAddress, ManagerCredentials } from '../mysql/ports.js';
import { quote, type Dialect, type Row } from '../mysql/sql/dialect.js';
import { dialectFor } from '../mysql/sql/engines.js';
import type { Login } from './client-tools.js';
import { CLONE_OBJECT, PHYSICAL_OBJECT } from './locations.js';
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
  engine: DatabaseEngine;
  /** The GTID set the backup recorded (MySQL: checked against the restored server's gtid_executed). */
  gtidPosition: string;
  /** How long the server may take to come back on the copy. */
  restartTimeoutMs?: number;
  /** Runs one statement on the target as the admin (default: a connection of its own). */
  sql?: (sql: string) => Promise<Row[]>;
}

/** The copy this restore put in place, whose server may still be starting (a retried attempt). */
export const restoredFrom = (state: RestoreState, backupName: string): boolean =>
  (state.phase === 'ready' || state.phase === 'restored') && state.donor === `backup ${backupName}`;

/** The new stack's accounts on a copy of another stack's server: created if missing, its passwords set. */
export function accountStatements(dialect: Dialect, c: ManagerCredentials): string[] {
  return [
    ...dialect.bootstrapUsers(c),
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

const POLL_MS = 500;

export async function restorePhysical(opts: PhysicalRestoreOptions): Promise<void> {
  const mysql = opts.engine === 'mysql';
  const sql = opts.sql ?? ((text: string) => query<Row>(opts.target, opts.login, text));
  const key = `${opts.location}/${mysql ? CLONE_OBJECT : PHYSICAL_OBJECT}`;
  if (!restoredFrom(await opts.agents.restoreState(opts.agent), opts.backupName)) {
    await verifyStored(opts, key);
    const format = mysql ? 'clone-tar' : 'mbstream';
    await opts.agents.restoreBackup(opts.agent, { name: opts.backupName, sha256: opts.sha256, format }, await opts.store.get(key));
  }
  const timeoutMs = opts.restartTimeoutMs ?? 600_000;
  const deadline = Date.now() + timeoutMs;
  const waitFor = async (what: string, done: () => Promise<boolean>): Promise<void> => {
    while (!(await done())) {
      if (Date.now() > deadline) throw new Error(`${opts.target.name} ${what} within ${Math.round(timeoutMs / 1000)} s`);
      await sleep(POLL_MS);
    }
  };
  await waitFor(`did not come back on backup ${opts.backupName}`, async () => {
    const state = await opts.agents.restoreState(opts.agent).catch(() => undefined);
    return state?.phase === 'restored' && await sql('SELECT 1 AS up').then(() => true, () => false);
  });
  if (mysql) {
    const [held] = await sql(`SELECT GTID_SUBSET(${quote(opts.gtidPosition)}, @@GLOBAL.gtid_executed) AS held`);
    if (Number(held?.held) !== 1) {
      throw new Error(`${opts.target.name} restarted on backup ${opts.backupName} without its GTID position ${opts.gtidPosition} in gtid_executed: the copy is not the backup's`);
    }
    await waitFor('was not made the writable primary on the restored copy', async () => {
      const [row] = await sql('SELECT @@GLOBAL.super_read_only AS ro');
      return Number(row?.ro) === 0;
    });
  }
  for (const statement of accountStatements(dialectFor(opts.engine), opts.credentials)) await sql(statement);
  await opts.agents.forgetRestore(opts.agent);
}
