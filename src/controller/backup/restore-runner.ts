/**
 * A restore into a new stack: find the backup, make sure the stack's primary holds no data of its
 * own (a restore never writes into a running stack), then load the verified dump into the primary
 * (the replicas get it through replication), or put the verified physical copy in place of the
 * primary's data directory (its binlog starts at the copy's position, so the replicas can't catch
 * up by replication: their database manager rebuilds them from the primary). A MySQL 8.4 backup
 * is physical (a clone) and restores the same way. A point-in-time restore then replays the
 * archived binlogs, each engine its way (pitr-engines.ts).
 */
import type { RestoreSpec, WebStackBackup } from '../../api/backup-types.js';
import { resolveSpec } from '../../api/defaults.js';
import type { RestoreStatus, WebStack } from '../../api/types.js';
import type { KubeClient } from '../../kube/client.js';
import { CorruptBackupError, restoreDump } from '../../backup/restore.js';
import { PHYSICAL_METHOD } from '../../backup/physical.js';
import { restoredFrom, restorePhysical } from '../../backup/physical-restore.js';
import { query, someUserTables, type RunSql } from '../../backup/server-queries.js';
import type { BackupStore } from '../../backup/store.js';
import type { DatabaseEngine } from '../../api/types.js';
import { replayPlannerFor, type PlannedReplay } from './pitr-engines.js';
import { WEBSTACKBACKUP } from '../resources.js';
import type { StackAccess } from './stack-access.js';

/** A restore that must not be tried again: the backup is corrupted, or the stack already has data. */
export class RestoreRefused extends Error {}

export class RestoreRunner {
  constructor(private readonly access: StackAccess, private readonly client: KubeClient, private readonly agents: boolean,
    private readonly sql: RunSql = query) {}

  private async backupFor(ns: string, spec: RestoreSpec): Promise<WebStackBackup> {
    if (spec.backup) {
      const b = await this.client.get<WebStackBackup>(WEBSTACKBACKUP, ns, spec.backup);
      if (!b) throw new Error(`WebStackBackup ${ns}/${spec.backup} not found (spec.database.restore.backup)`);
      if (b.status?.phase !== 'Completed') throw new Error(`WebStackBackup ${ns}/${spec.backup} is ${b.status?.phase ?? 'not started'}, not Completed`);
      return b;
    }
    const { items } = await this.client.list<WebStackBackup>(WEBSTACKBACKUP, ns);
    const usable = (b: WebStackBackup) => !spec.pointInTime || Date.parse(b.status?.completionTime ?? '') <= Date.parse(spec.pointInTime);
    const newest = items.filter((b) => b.spec.stack === spec.fromStack && b.status?.phase === 'Completed' && !b.metadata.deletionTimestamp && usable(b))
      .sort((a, b) => (b.status!.completionTime ?? '').localeCompare(a.status!.completionTime ?? ''))[0];
    if (!newest) {
      throw new Error(`stack ${spec.fromStack} has no backup in ${ns} completed${spec.pointInTime ? ` by ${spec.pointInTime}` : ''} (spec.database.restore.fromStack)`);
    }
    return newest;
  }

  private async plan(b: WebStackBackup, store: BackupStore, pointInTime: string, engine: DatabaseEngine): Promise<PlannedReplay> {
    const s = b.status!;
    if (Date.parse(s.completionTime ?? '') > Date.parse(pointInTime)) {
      throw new RestoreRefused(`backup ${b.metadata.name} completed at ${s.completionTime}, after the point in time ${pointInTime}: it may hold later transactions`);
    }
    if (!s.binlogLocation) {
      throw new RestoreRefused(`backup ${b.metadata.name} was taken without pointInTimeRecovery: there is no binlog archive to replay to ${pointInTime}`);
    }
    return replayPlannerFor(engine, this.access, this.sql)({ store, location: s.binlogLocation, gtidPosition: s.gtidPosition ?? '', pointInTime });
  }

  async run(ws: WebStack, spec: RestoreSpec): Promise<RestoreStatus> {
    const ns = ws.metadata.namespace!;
    const stack = ws.metadata.name;
    const primary = ws.status?.database?.primary;
    if (!primary) throw new Error('the stack has no primary yet');
    const engine = resolveSpec(ws).database.engine;
    const b = await this.backupFor(ns, spec);
    const s = b.status!;
    if (s.engine && s.engine !== engine) {
      throw new RestoreRefused(`backup ${b.metadata.name} is of a ${s.engine} stack and this stack runs ${engine} (spec.database.engine): a copy of one engine does not start the other`);
    }
    if (!s.location || !s.sha256) throw new RestoreRefused(`WebStackBackup ${b.metadata.name} records no location or checksum`);
    if (engine === 'mysql' && !s.gtidPosition) throw new RestoreRefused(`WebStackBackup ${b.metadata.name} records no GTID position: the restored copy could not be checked`);
    const [addr, login, store] = await Promise.all([
      this.access.instance(ns, stack, primary), this.access.login(ns, stack), this.access.store(ns, b.spec.stack, s.storage ?? { volume: {} }),
    ]);
    const physical = s.method === PHYSICAL_METHOD;
    if (physical && !this.agents) {
      throw new RestoreRefused(`backup ${b.metadata.name} is physical: restoring it needs the agent in the database pods (the operator's --agent-image)`);
    }
    const agents = this.access.agents(login);
    const agent = this.access.agentOf(addr);
    // A retried physical restore whose copy is already in place carries on from there.
    const resumed = physical && restoredFrom(await agents.restoreState(agent), b.metadata.name);
    const tables = resumed ? [] : await someUserTables(addr, login, this.sql);
    if (tables.length > 0) {
      throw new RestoreRefused(`the stack's database already holds tables (${tables.join(', ')}): a restore never writes into a running stack`);
    }
    // The replay is planned before anything is written: a point beyond the archive is retried later
    // on an untouched stack.
    const replay = spec.pointInTime ? await this.plan(b, store, spec.pointInTime, engine) : undefined;
    const copy = { store, location: s.location, sha256: s.sha256, backupName: b.metadata.name, target: addr, login };
    const credentials = await this.access.credentials(ws);
    try {
      if (physical) {
        await restorePhysical({ ...copy, agents, agent, credentials, engine, gtidPosition: s.gtidPosition ?? '',
          sql: (text) => this.sql(addr, login, text) });
      } else {
        await restoreDump(copy);
      }
    } catch (err) {
      if (err instanceof CorruptBackupError) throw new RestoreRefused(err.message);
      throw err;
    }
    const restored = `restored ${b.metadata.name} (${physical ? 'physical' : 'logical'}, GTID ${s.gtidPosition}) into ${primary}`;
    if (!replay) return { phase: 'Completed', backup: b.metadata.name, message: restored };
    const secrets = [login.password, credentials.adminPassword, credentials.replicationPassword, credentials.appPassword, credentials.exporterPassword];
    await replay.run({ primary: addr, login, secrets });
    return { phase: 'Completed', backup: b.metadata.name, pointInTime: spec.pointInTime, message: `${restored}, then ${replay.summary}` };
  }
}
