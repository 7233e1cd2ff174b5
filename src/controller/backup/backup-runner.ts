/** One backup of a stack: pick the source, copy it to the stack's storage, say what was stored. */
import type { BackupMethod, WebStackBackup, WebStackBackupStatus } from '../../api/backup-types.js';
import { resolveSpec } from '../../api/defaults.js';
import type { WebStack } from '../../api/types.js';
import type { Clock } from '../../clock.js';
import { dumpToStore, type BackupManifest } from '../../backup/dump.js';
import { backupLocation, binlogLocation, stackRoot } from '../../backup/locations.js';
import { cloneToStore } from '../../backup/clone-backup.js';
import { copyToStore } from '../../backup/physical.js';
import { withSession } from '../../mysql/sql/session.js';
import { userDatabases } from '../../backup/server-queries.js';
import { backupSource } from '../../backup/source.js';
import type { StackAccess } from './stack-access.js';

/** spec.database.backup.method, or its default: physical when database pods run the agent. */
export function backupMethod(ws: WebStack, agents: boolean): BackupMethod {
  return ws.spec.database?.backup?.method ?? (agents ? 'physical' : 'logical');
}

const CONNECT_TIMEOUT_MS = 5_000;
/** A MySQL clone of the source is bounded like a rebuild's copy. */
const CLONE_TIMEOUT_MS = 2 * 3_600_000;

export class BackupRunner {
  constructor(private readonly access: StackAccess, private readonly clock: Clock, private readonly agents: boolean) {}

  /** The status fields of a completed backup; `message` says which instance it read. */
  async run(ws: WebStack, b: WebStackBackup): Promise<WebStackBackupStatus> {
    const ns = ws.metadata.namespace!;
    const stack = ws.metadata.name;
    const db = resolveSpec(ws).database;
    const method = backupMethod(ws, this.agents);
    if (db.engine === 'mysql' && method === 'logical') {
      throw new Error('spec.database.backup.method logical: MySQL 8.4 stacks are backed up physically only (the clone plugin); set method: physical');
    }
    if (method === 'physical' && !this.agents) {
      throw new Error('spec.database.backup.method physical: the operator runs without --agent-image, so database pods have no agent to stream the copy');
    }
    const storage = ws.spec.database?.backup?.storage ?? { volume: {} };
    const source = backupSource(ws.status?.database?.instances ?? []);
    if (!source.name) throw new Error(source.reason);
    const [addr, login, store] = await Promise.all([
      this.access.instance(ns, stack, source.name), this.access.login(ns, stack), this.access.store(ns, stack, storage),
    ]);
    const root = stackRoot(storage, ns, stack);
    const location = backupLocation(root, b.metadata.name);
    const now = () => new Date(this.clock.now());
    let manifest: BackupManifest;
    if (method === 'physical' && db.engine === 'mysql') {
      const credentials = await this.access.credentials(ws);
      manifest = await cloneToStore({
        open: (queryMs) => (fn) => withSession(addr, credentials, { connectMs: CONNECT_TIMEOUT_MS, queryMs }, fn, login.caBundle),
        agents: this.access.agents(login), source: this.access.agentOf(addr), store, location, backup: b.metadata.name,
        cloneTimeoutMs: CLONE_TIMEOUT_MS, now,
      });
    } else if (method === 'physical') {
      manifest = await copyToStore({ agents: this.access.agents(login), source: this.access.agentOf(addr), store, location, now });
    } else {
      const databases = await userDatabases(addr, login);
      manifest = await dumpToStore({ source: addr, login, databases, store, location, now });
    }
    return {
      size: manifest.size, method: manifest.method, gtidPosition: manifest.gtidPosition, sha256: manifest.sha256,
      location, storage, engine: db.engine,
      ...(ws.spec.database?.backup?.pointInTimeRecovery ? { binlogLocation: binlogLocation(root) } : {}),
      message: source.reason,
    };
  }
}
