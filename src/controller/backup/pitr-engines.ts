/**
 * How each engine archives binlogs and replays them, chosen in this one place (as the rebuilders
 * are in src/controller/database/rebuilders.ts): MariaDB reads its primary's binlogs with
 * `mariadb-binlog --read-from-remote-server` and replays them through `mariadb-binlog | mariadb`;
 * MySQL 8.4 reads them through the primary's agent.
 */
import type { DatabaseEngine } from '../../api/types.js';
import { archiveBinlogs, type ArchivePass, type ArchiveState } from '../../backup/binlog-archive.js';
import type { Login } from '../../backup/client-tools.js';
import { archiveMysqlBinlogs } from '../../backup/mysql-binlog-archive.js';
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
export function mysqlNeedsAgents(agents: boolean): void {
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
