/** Which instance a backup reads from: the healthiest replica, else the primary. Pure. */
import type { InstanceStatus } from '../api/types.js';

export function backupSource(instances: readonly InstanceStatus[]): { name: string; reason: string } | { name?: undefined; reason: string } {
  const replicas = instances.filter((i) => i.role === 'replica' && i.ready)
    .sort((a, b) => (a.lagSeconds ?? Infinity) - (b.lagSeconds ?? Infinity) || a.name.localeCompare(b.name, 'en', { numeric: true }));
  if (replicas.length > 0) return { name: replicas[0].name, reason: `replica ${replicas[0].name} is ready with the least lag` };
  const primary = instances.find((i) => i.role === 'primary' && i.ready);
  if (primary) return { name: primary.name, reason: `no replica is ready; reading the primary ${primary.name}` };
  return { reason: 'no database instance is ready' };
}
