/**
 * How each engine archives binlogs and replays them, chosen in this one place (as the rebuilders
 * are in src/controller/database/rebuilders.ts): MariaDB reads its primary's binlogs with
 * `mariadb-binlog --read-from-remote-server` and replays them through `mariadb-binlog | mariadb`;
 * MySQL 8.4 reads them through the primary's agent and replays them with the restored server's
 * own applier (src/backup/mysql-replay.ts).
 */
import type { DatabaseEngine } from '../../api/types.js';
import { archiveBinlogs, readArchive, type ArchivePass, type ArchiveState } from '../../backup/binlog-archive.js';
import { archiveMysqlBinlogs, type MysqlBinlogIndexObject } from '../../backup/mysql-binlog-archive.js';
import { planMysqlReplay } from '../../backup/mysql-replay-plan.js';
import { replayMysqlBinlogs } from '../../backup/mysql-replay.js';
import { replayBinlogs } from '../../backup/replay.js';
import { prunableBinlogs, prunableMysqlBinlogs } from '../../backup/retention.js';
import { gtidText, parseGtidPosition, planReplay } from '../../backup/replay-plan.js';
import type { Login } from '../../backup/client-tools.js';
import { query, type RunSql } from '../../backup/server-queries.js';
import type { BackupStore } from '../../backup/store.js';
import type { InstanceAddress } from '../../mysql/ports.js';
import type { Row } from '../../mysql/sql/dialect.js';
import type { StackAccess } from './stack-access.js';

export interface ArchiveTarget {
  primary: InstanceAddress;
  login: Login;
  store: BackupStore;
  prefix: string;
  state: ArchiveState;
  nowMs: () => number;
}

export type BinlogArchivePass = (target: ArchiveTarget) => Promise<ArchivePass>;

/** MySQL's binlogs are read through the agents; without them there is no archive. */
function mysqlNeedsAgents(agents: boolean): void {
  if (!agents) throw new Error('point-in-time recovery on MySQL reads and replays binlogs through the agent in the database pods (the operator\'s --agent-image)');
}

export function binlogArchiveFor(engine: DatabaseEngine, access: StackAccess, agents: boolean, sql: RunSql = query): BinlogArchivePass {
  if (engine === 'mariadb') return (t) => archiveBinlogs(t.primary, t.login, t.store, t.prefix, t.state, t.nowMs);
  return async (t) => {
    mysqlNeedsAgents(agents);
    return archiveMysqlBinlogs({
      primary: t.primary.name, sql: (text) => sql<Row>(t.primary, t.login, text), agents: access.agents(t.login), agent: access.agentOf(t.primary),
      store: t.store, prefix: t.prefix, state: t.state, nowMs: t.nowMs,
    });
  };
}

export interface ReplayTarget {
  primary: InstanceAddress;
  login: Login;
  /** Never in a message: the stack's passwords. */
  secrets: readonly string[];
}

/** A replay planned before anything is written: what it will do, and doing it. */
export interface PlannedReplay {
  /** For the restore's status message. */
  summary: string;
  run: (target: ReplayTarget) => Promise<void>;
}

export interface ReplayRequest {
  store: BackupStore;
  /** The backup's binlogLocation and gtidPosition. */
  location: string;
  gtidPosition: string;
  /** RFC 3339. */
  pointInTime: string;
}

export type ReplayPlanner = (request: ReplayRequest) => Promise<PlannedReplay>;

export function replayPlannerFor(engine: DatabaseEngine, access: StackAccess, sql: RunSql = query): ReplayPlanner {
  if (engine === 'mariadb') {
    return async (r) => {
      const { indexes, watermark } = await readArchive(r.store, r.location);
      const plan = planReplay(indexes, parseGtidPosition(r.gtidPosition), Math.floor(Date.parse(r.pointInTime) / 1000), watermark);
      return {
        summary: `replayed ${plan.steps.length} archived binlog file(s) through GTID ${gtidText(plan.last)}, the last transaction before ${r.pointInTime}`,
        run: (t) => replayBinlogs(plan, r.store, t.primary, t.login),
      };
    };
  }
  return async (r) => {
    const { indexes, watermark } = await readArchive<MysqlBinlogIndexObject>(r.store, r.location);
    const plan = planMysqlReplay(indexes, r.gtidPosition, Date.parse(r.pointInTime) * 1000, watermark);
    const stop = plan.stop && 'before' in plan.stop ? `, stopped before ${plan.stop.before}, the first committed at or after ${r.pointInTime}` : '';
    const lost = plan.lost.length ? `; left out ${plan.lost.join(', ')}: committed by a primary that failed, never received by the one that took over` : '';
    return {
      summary: `replayed ${plan.count} archived transaction(s) from ${plan.files.length} binlog file(s)${plan.count ? ` (${plan.replayed})` : ''}${stop}${lost}`,
      run: (t) => replayMysqlBinlogs({
        plan, indexes: new Map(indexes.map((i) => [i.key, i])), store: r.store, agents: access.agents(t.login), agent: access.agentOf(t.primary),
        target: t.primary.name, sql: (text) => sql<Row>(t.primary, t.login, text), secrets: t.secrets,
      }),
    };
  };
}

/**
 * The archived files under `location` no kept backup needs (`kept`: their gtidPositions), and the
 * position they end at, for the log. MariaDB: wholly at or before the oldest kept position;
 * MySQL: held by every kept backup's GTID set.
 */
export async function prunableArchive(engine: DatabaseEngine, store: BackupStore, location: string, kept: readonly string[]): Promise<{ keys: string[]; before: string }> {
  if (engine === 'mysql') {
    const { indexes } = await readArchive<MysqlBinlogIndexObject>(store, location);
    return { keys: prunableMysqlBinlogs(indexes, kept), before: kept.join(' and ') };
  }
  const oldest = kept.map((p) => parseGtidPosition(p)).sort((a, b) => a.seq - b.seq)[0];
  const { indexes } = await readArchive(store, location);
  return { keys: prunableBinlogs(indexes, oldest), before: `${oldest.domain}-*-${oldest.seq}` };
}
