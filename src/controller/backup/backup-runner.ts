/** One backup of a stack: pick the source, dump it to the stack's storage, say what was stored. */
import type { WebStackBackup, WebStackBackupStatus } from '../../api/backup-types.js';
import { resolveSpec } from '../../api/defaults.js';
import type { WebStack } from '../../api/types.js';
import type { Clock } from '../../clock.js';
import { dumpToStore } from '../../backup/dump.js';
import { backupLocation, binlogLocation, stackRoot } from '../../backup/locations.js';
import { userDatabases } from '../../backup/server-queries.js';
import { backupSource } from '../../backup/source.js';
import type { StackAccess } from './stack-access.js';

export class BackupRunner {
  constructor(private readonly access: StackAccess, private readonly clock: Clock) {}

  /** The status fields of a completed backup; `message` says which instance it read. */
  async run(ws: WebStack, b: WebStackBackup): Promise<WebStackBackupStatus> {
    const ns = ws.metadata.namespace!;
    const stack = ws.metadata.name;
    const db = resolveSpec(ws).database;
    if (db.engine !== 'mariadb') throw new Error(`backups of ${db.engine} stacks are not supported yet (spec.database.engine)`);
    const storage = ws.spec.database?.backup?.storage ?? { volume: {} };
    const source = backupSource(ws.status?.database?.instances ?? []);
    if (!source.name) throw new Error(source.reason);
    const [addr, login, store] = await Promise.all([
      this.access.instance(ns, stack, source.name), this.access.login(ns, stack), this.access.store(ns, storage),
    ]);
    const root = stackRoot(storage, ns, stack);
    const location = backupLocation(root, b.metadata.name);
    const databases = await userDatabases(addr, login);
    const manifest = await dumpToStore({ source: addr, login, databases, store, location, now: () => new Date(this.clock.now()) });
    return {
      size: manifest.size, method: manifest.method, gtidPosition: manifest.gtidPosition, sha256: manifest.sha256,
      location, storage, engine: db.engine,
      ...(ws.spec.database?.backup?.pointInTimeRecovery ? { binlogLocation: binlogLocation(root) } : {}),
      message: source.reason,
    };
  }
}
