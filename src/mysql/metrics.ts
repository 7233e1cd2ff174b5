/** Prometheus metrics of the database managers, registered on the registry the operator passes in. */
import { Counter, Histogram, type Registry } from 'prom-client';

export interface DatabaseMetrics {
  failovers: Counter<'namespace' | 'name'>;
  switchovers: Counter<'namespace' | 'name'>;
  failoverDuration: Histogram<'namespace' | 'name' | 'kind'>;
  /** Rebuilds from a peer that ended, by result: completed or failed (abandoned included). */
  rebuilds: Counter<'namespace' | 'name' | 'result'>;
}

const FAILOVERS = 'webstack_database_failovers_total';
const SWITCHOVERS = 'webstack_database_switchovers_total';
const DURATION = 'webstack_database_failover_duration_seconds';
const REBUILDS = 'webstack_database_rebuilds_total';

/** Idempotent per registry: every manager of the operator shares the same metric objects. */
export function databaseMetrics(registry: Registry): DatabaseMetrics {
  const existing = registry.getSingleMetric(FAILOVERS);
  if (existing) {
    return {
      failovers: existing as Counter<'namespace' | 'name'>,
      switchovers: registry.getSingleMetric(SWITCHOVERS) as Counter<'namespace' | 'name'>,
      failoverDuration: registry.getSingleMetric(DURATION) as Histogram<'namespace' | 'name' | 'kind'>,
      rebuilds: registry.getSingleMetric(REBUILDS) as Counter<'namespace' | 'name' | 'result'>,
    };
  }
  return {
    failovers: new Counter({ name: FAILOVERS, help: 'Automatic database failovers completed', labelNames: ['namespace', 'name'], registers: [registry] }),
    switchovers: new Counter({ name: SWITCHOVERS, help: 'Planned database switchovers completed', labelNames: ['namespace', 'name'], registers: [registry] }),
    failoverDuration: new Histogram({
      name: DURATION, help: 'Time from the start of a failover or switchover to the new primary being writable',
      labelNames: ['namespace', 'name', 'kind'], buckets: [0.25, 0.5, 1, 2, 3, 5, 10, 30], registers: [registry],
    }),
    rebuilds: new Counter({ name: REBUILDS, help: 'Database instances rebuilt from a peer\'s copy, by result (completed, failed)',
      labelNames: ['namespace', 'name', 'result'], registers: [registry] }),
  };
}
