/** Observation builders for the planner and status tables: instance i is `shop-mysql-i` on port 3300 + i. */
import { parseGtidSet, type GtidFlavor } from '../../src/mysql/gtid.js';
import type { InstanceObservation, IoThreadState, ProbeErrorKind } from '../../src/mysql/observation.js';
import type { ManagerSpec } from '../../src/mysql/ports.js';

export const name = (i: number) => `shop-mysql-${i}`;

export interface UpOptions {
  writable?: boolean;
  executed?: string;
  /** Ordinal of the source it replicates from; absent: no replication configured. */
  source?: number;
  io?: IoThreadState;
  /** Seconds_Behind; null: the applier is not running. Default 0. */
  behind?: number | null;
  sql?: boolean;
  sqlError?: string;
  ioError?: { errno: number; message: string };
  retrieved?: string;
  semiSource?: boolean;
  semiReplica?: boolean;
  clients?: number;
  flavor?: GtidFlavor;
  sourceId?: string;
}

export function up(i: number, o: UpOptions = {}): InstanceObservation {
  const flavor = o.flavor ?? 'mariadb';
  return {
    name: name(i), host: '127.0.0.1', port: 3300 + i,
    state: {
      serverId: 100 + i,
      sourceId: o.sourceId ?? String(100 + i),
      readOnly: !o.writable,
      executed: parseGtidSet(flavor, o.executed ?? ''),
      executedText: o.executed ?? '',
      logReplicaUpdates: true,
      replica: o.source === undefined ? undefined : {
        sourceHost: '127.0.0.1', sourcePort: 3300 + o.source,
        ioThread: o.io ?? 'Yes', sqlThread: o.sql ?? !o.sqlError,
        lastIoError: o.ioError?.message ?? '', lastIoErrno: o.ioError?.errno ?? 0, lastSqlError: o.sqlError ?? '',
        secondsBehind: o.behind === undefined ? 0 : o.behind,
        retrieved: parseGtidSet(flavor, o.retrieved ?? ''), retrievedText: o.retrieved ?? '',
      },
      semiSync: {
        available: true,
        sourceEnabled: o.semiSource ?? false, replicaEnabled: o.semiReplica ?? true,
        sourceActive: o.semiSource ?? false, sourceClients: o.clients ?? 0, replicaActive: o.semiReplica ?? true,
      },
    },
  };
}

export function down(i: number, kind: ProbeErrorKind = 'refused'): InstanceObservation {
  return { name: name(i), host: '127.0.0.1', port: 3300 + i, error: { kind, message: `${name(i)}: ${kind}` } };
}

/** A healthy semi-sync primary at `executed`. */
export function primary(i: number, executed = '0-100-10'): InstanceObservation {
  return up(i, { writable: true, executed, semiSource: true, semiReplica: false, clients: 2 });
}

export function replica(i: number, source: number, executed = '0-100-10', more: UpOptions = {}): InstanceObservation {
  return up(i, { executed, source, ...more });
}

export const spec: ManagerSpec = {
  engine: 'mariadb', desiredPrimary: '', failoverEnabled: true, failureThresholdSeconds: 2,
  replicationMode: 'semisync', semiSyncTimeoutSeconds: 3600,
};
