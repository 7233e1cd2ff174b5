/** The manager's view of a resolved WebStack database spec. Pure. */
import type { DatabaseEngine, ReplicationMode } from '../api/types.js';
import type { ManagerSpec } from './ports.js';

/**
 * `restoring`: the stack is being bootstrapped from a backup, so failover is held: its replicas
 * hold none of the data yet, and a physical restore restarts the primary on the copy. The restore
 * rebuilds the replicas itself, so the manager's rebuilds wait too.
 */
export function managerSpec(db: {
  engine: DatabaseEngine; primary: string; replicas?: number; failover: { enabled: boolean; failureThresholdSeconds: number };
  replication: { mode: ReplicationMode; semiSyncTimeoutSeconds: number };
}, restoring = false): ManagerSpec {
  return {
    engine: db.engine,
    desiredPrimary: db.primary,
    ...(db.replicas === undefined ? {} : { replicas: db.replicas }),
    failoverEnabled: db.failover.enabled && !restoring,
    failureThresholdSeconds: db.failover.failureThresholdSeconds,
    replicationMode: db.replication.mode,
    semiSyncTimeoutSeconds: db.replication.semiSyncTimeoutSeconds,
    ...(restoring ? { restoring: true } : {}),
  };
}
