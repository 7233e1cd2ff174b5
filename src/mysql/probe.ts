/** gather: ask every instance for its state in parallel, into plain observations; an error is an observation too. */
import type { DatabaseConnector } from './database.js';
import type { InstanceObservation } from './observation.js';
import type { InstanceAddress } from './ports.js';
import { toDatabaseError } from './sanitize.js';

export async function probeInstance(addr: InstanceAddress, connect: DatabaseConnector): Promise<InstanceObservation> {
  const base = { name: addr.name, host: addr.host, port: addr.port, ...(addr.outdated ? { outdated: true } : {}),
    ...(addr.ready === false ? { ready: false } : {}), ...(addr.tls ? { tls: true } : {}) };
  try {
    return { ...base, state: await connect(addr).status() };
  } catch (err) {
    // Session errors arrive scrubbed of the credentials already; nothing else here carries them.
    const e = toDatabaseError(err, addr.name, []);
    return { ...base, error: { kind: e.kind, message: e.message } };
  }
}

export function probeAll(instances: InstanceAddress[], connect: DatabaseConnector): Promise<InstanceObservation[]> {
  return Promise.all(instances.map((i) => probeInstance(i, connect)));
}
