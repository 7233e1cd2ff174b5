/** The WebStack's spec and Secret in the terms the database manager takes. Pure. */
import type { ResolvedSpec } from '../../api/defaults.js';
import type { DatabaseCredentials as SecretCredentials } from '../../render/credentials.js';
import type { DatabaseCredentials, ManagerSpec } from '../../mysql/ports.js';

export function managerSpec(spec: ResolvedSpec): ManagerSpec {
  const d = spec.database;
  return {
    engine: d.engine,
    desiredPrimary: d.primary,
    failoverEnabled: d.failover.enabled,
    failureThresholdSeconds: d.failover.failureThresholdSeconds,
    replicationMode: d.replication.mode,
    semiSyncTimeoutSeconds: d.replication.semiSyncTimeoutSeconds,
  };
}

export function managerCredentials(secret: SecretCredentials, spec: ResolvedSpec): DatabaseCredentials {
  return { ...secret, databaseName: spec.database.databaseName, appUser: spec.database.user };
}
