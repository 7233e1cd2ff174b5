/** Prometheus metrics of backups, registered on the operator's registry. */
import { Gauge, Histogram, type Registry } from 'prom-client';

type Labels = 'namespace' | 'name';

export interface BackupMetrics {
  lastSuccess: Gauge<Labels>;
  duration: Histogram<Labels>;
  size: Gauge<Labels>;
  archiveLag: Gauge<Labels>;
  scheduleInterval: Gauge<Labels>;
}

const LAST_SUCCESS = 'webstack_backup_last_success_timestamp_seconds';
const SCHEDULE_INTERVAL = 'webstack_backup_schedule_interval_seconds';

/** Idempotent per registry. */
export function backupMetrics(registry: Registry): BackupMetrics {
  if (registry.getSingleMetric(LAST_SUCCESS)) {
    return {
      lastSuccess: registry.getSingleMetric(LAST_SUCCESS) as Gauge<Labels>,
      duration: registry.getSingleMetric('webstack_backup_duration_seconds') as Histogram<Labels>,
      size: registry.getSingleMetric('webstack_backup_size_bytes') as Gauge<Labels>,
      archiveLag: registry.getSingleMetric('webstack_backup_binlog_archive_lag_seconds') as Gauge<Labels>,
      scheduleInterval: registry.getSingleMetric(SCHEDULE_INTERVAL) as Gauge<Labels>,
    };
  }
  const labelNames = ['namespace', 'name'] as const;
  return {
    lastSuccess: new Gauge({ name: LAST_SUCCESS, help: 'When the stack\'s last backup completed (Unix time)', labelNames, registers: [registry] }),
    duration: new Histogram({
      name: 'webstack_backup_duration_seconds', help: 'Time to take and store one backup', labelNames,
      buckets: [1, 5, 15, 60, 300, 900, 3600], registers: [registry],
    }),
    size: new Gauge({ name: 'webstack_backup_size_bytes', help: 'Stored (compressed) size of the stack\'s last backup', labelNames, registers: [registry] }),
    archiveLag: new Gauge({
      name: 'webstack_backup_binlog_archive_lag_seconds', help: 'At the end of each archive pass: seconds since the moment before which every transaction is archived',
      labelNames, registers: [registry],
    }),
    scheduleInterval: new Gauge({
      name: SCHEDULE_INTERVAL, help: 'The longest wait between two runs of the stack\'s backup schedule (only stacks with a schedule)',
      labelNames, registers: [registry],
    }),
  };
}
