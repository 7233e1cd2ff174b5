/**
 * Which instances a tick probes. While a cluster is at rest (the last tick found every instance
 * ready and had nothing to do), the primary is probed every tick and each replica once per
 * failure threshold: its last answer stands in between. Pure.
 */
import type { InstanceObservation } from './observation.js';
import type { InstanceAddress } from './ports.js';

/** An instance's last probe: what it answered (with the address it was sent to) and when it was sent. */
export interface LastProbe {
  observation: InstanceObservation;
  at: number;
}

function sameAddress(a: InstanceAddress, o: InstanceObservation): boolean {
  return a.host === o.host && a.port === o.port && !!a.tls === !!o.tls && !!a.outdated === !!o.outdated && (a.ready ?? true) === (o.ready ?? true);
}

/**
 * The observations this tick may take from the last probes instead of probing: none unless the
 * cluster is at rest; never the primary's; only answers, to the same address (a pod that moved,
 * became outdated or lost readiness is probed), younger than `maxAgeMs`.
 */
export function reusableObservations(addresses: readonly InstanceAddress[], primary: string | undefined, last: ReadonlyMap<string, LastProbe>,
  atRest: boolean, now: number, maxAgeMs: number): Map<string, InstanceObservation> {
  const reused = new Map<string, InstanceObservation>();
  if (!atRest || !primary) return reused;
  for (const a of addresses) {
    const probe = last.get(a.name);
    if (a.name === primary || !probe?.observation.state || !sameAddress(a, probe.observation) || now - probe.at >= maxAgeMs) continue;
    reused.set(a.name, probe.observation);
  }
  return reused;
}
