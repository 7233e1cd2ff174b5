/** The manager's view of a resolved WebStack database spec. Pure. */
import type { DatabaseEngine, ReplicationMode } from '../api/types.js';
import type { ManagerSpec } from './ports.js';

/**
 * `restoring`: the stack is being bootstrapped from a backup, so failover is held: its replicas
 * hold none of the data yet, and a physical restore restarts the primary on the copy. Rebuilds wait
 * too: a replica copied from the primary before the restore is done would miss what it brings.
 * `fenced`: the instances a user fenced (the WebStack's annotation, src/api/fencing.ts).
 */
export function managerSpec(db: {
  engine: DatabaseEngine; primary: string; replicas?: number; failover: { enabled: boolean; failureThresholdSeconds: number };
  replication: { mode: ReplicationMode; semiSyncTimeoutSeconds: number };
}, restoring = false, fenced: readonly string[] = []): ManagerSpec {
  return {
    engine: db.engine,
    desiredPrimary: db.primary,
    ...(db.replicas === undefined ? {} : { replicas: db.replicas }),
    failoverEnabled: db.failover.enabled && !restoring,
    failureThresholdSeconds: db.failover.failureThresholdSeconds,
    replicationMode: db.replication.mode,
    semiSyncTimeoutSeconds: db.replication.semiSyncTimeoutSeconds,
    ...(restoring ? { restoring: true } : {}),
    ...(fenced.length > 0 ? { fenced: [...fenced] } : {}),
  };
}
