/**
 * What the database manager says about a stack, in the terms of the WebStack status: conditions,
 * whether Ready is held back, whether the stack is degraded. Pure, table-tested.
 */
import type { InstanceStatus } from '../../api/types.js';
import type { ObservedDatabaseStatus } from '../../mysql/status.js';
import type { AddonContribution } from '../addons.js';
import type { ConditionInput } from '../conditions.js';

export const DATABASE_READY = 'DatabaseReady';

function databaseReady(observed: ObservedDatabaseStatus | undefined): ConditionInput {
  if (!observed) return { type: DATABASE_READY, status: 'False', reason: 'NotProbedYet', message: 'the database instances have not been probed yet' };
  if (!observed.bootstrapped) {
    return { type: DATABASE_READY, status: 'False', reason: 'Bootstrapping',
      message: observed.primary ? `setting up ${observed.primary} as the primary` : 'waiting for the instances to choose a primary' };
  }
  const primary = observed.instances.find((i) => i.role === 'primary');
  if (!primary?.ready) {
    return { type: DATABASE_READY, status: 'False', reason: 'PrimaryUnavailable',
      message: `primary ${observed.primary ?? '(none)'} is not accepting writes${primary?.message ? `: ${primary.message}` : ''}` };
  }
  const replicas = observed.instances.filter((i) => i.role === 'replica');
  return { type: DATABASE_READY, status: 'True', reason: 'PrimaryWritable',
    message: `${primary.name} is the primary; ${replicas.filter((r) => r.ready).length}/${replicas.length} replicas replicating` };
}

/** undefined `observed`: the manager has not finished a tick yet, so Ready waits. */
export function databaseContribution(observed: ObservedDatabaseStatus | undefined): AddonContribution {
  const ready = databaseReady(observed);
  const conditions: ConditionInput[] = [ready, ...(observed?.conditions ?? [])];
  const contribution: AddonContribution = { conditions };
  if (ready.status === 'False') contribution.notReady = { reason: `Database${ready.reason}`, message: ready.message };
  // Before bootstrap "no primary yet" is progress, not impairment.
  const impairment = observed?.bootstrapped ? observed.conditions.find((c) => c.status === 'True') : undefined;
  if (impairment) contribution.degraded = { reason: impairment.reason, message: impairment.message };
  return contribution;
}

/** Fields of an instance that, when they change, are written at once; lag and GTID positions are written at a slower pace. */
export function instancesShape(instances: readonly InstanceStatus[]): string {
  return JSON.stringify(instances.map((i) => [i.name, i.role, i.ready, i.errantGtids ?? '', i.message ?? '']));
}
