/** The manager's view of a resolved WebStack database spec. Pure. */
import type { DatabaseEngine, ReplicationMode } from '../api/types.js';
import type { ManagerSpec } from './ports.js';

export function managerSpec(db: {
  engine: DatabaseEngine; primary: string; replicas?: number; failover: { enabled: boolean; failureThresholdSeconds: number };
  replication: { mode: ReplicationMode; semiSyncTimeoutSeconds: number };
}): ManagerSpec {
  return {
    engine: db.engine,
    desiredPrimary: db.primary,
    ...(db.replicas === undefined ? {} : { replicas: db.replicas }),
    failoverEnabled: db.failover.enabled,
    failureThresholdSeconds: db.failover.failureThresholdSeconds,
    replicationMode: db.replication.mode,
    semiSyncTimeoutSeconds: db.replication.semiSyncTimeoutSeconds,
  };
}
