/** The condition types of a WebStack's status and who writes them: the reconcile, or the database manager. */

export const READY = 'Ready';
export const PROGRESSING = 'Progressing';
export const DEGRADED = 'Degraded';

export const DATABASE_READY = 'DatabaseReady';
export const DATABASE_DEGRADED = 'DatabaseDegraded';
export const SEMI_SYNC_DEGRADED = 'SemiSyncDegraded';
export const FAILOVER_BLOCKED = 'FailoverBlocked';
