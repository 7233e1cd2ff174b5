/**
 * Events are one resource with two faces: core/v1 Event and events.k8s.io/v1 Event. They are
 * stored in the core form (as kube does), and converted field by field for the other group,
 * so `kubectl describe` shows events an operator wrote through either API.
 */
import type { KubeObject } from './types.js';

/** events.k8s.io/v1 field <- core/v1 field. */
const RENAMES: [string, string][] = [
  ['regarding', 'involvedObject'],
  ['note', 'message'],
  ['reportingController', 'reportingComponent'],
  ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
];

const SAME = ['reason', 'type', 'action', 'eventTime', 'series', 'related', 'reportingInstance'];

function pick(from: KubeObject, pairs: [string, string][], apiVersion: string): KubeObject {
  const out: KubeObject = { apiVersion, kind: 'Event', metadata: from.metadata };
  for (const [to, src] of pairs) if (from[src] !== undefined) out[to] = from[src];
  return out;
}

export function coreToEventsV1(core: KubeObject): KubeObject {
  return pick(core, [...RENAMES, ...SAME.map((f): [string, string] => [f, f])], 'events.k8s.io/v1');
}

/** Core fields kube always serializes (a struct, and times that are null when unset), so they read back present. */
const CORE_ZERO_VALUES: Record<string, unknown> = { source: {}, firstTimestamp: null, lastTimestamp: null };

export function eventsV1ToCore(event: KubeObject): KubeObject {
  const core = pick(event, [...RENAMES.map(([a, b]): [string, string] => [b, a]), ...SAME.map((f): [string, string] => [f, f])], 'v1');
  for (const [k, v] of Object.entries(CORE_ZERO_VALUES)) if (core[k] === undefined) core[k] = v;
  return core;
}
