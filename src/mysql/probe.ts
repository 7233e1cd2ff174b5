/** gather: probe every instance in parallel, with short deadlines, into plain observations. */
import { secretsOf, withSession, type Timeouts } from './connection.js';
import type { Dialect } from './dialect.js';
import type { InstanceObservation } from './observation.js';
import type { ManagerCredentials, InstanceAddress } from './ports.js';
import { toDatabaseError } from './sanitize.js';

export async function probeInstance(
  addr: InstanceAddress, dialect: Dialect, credentials: ManagerCredentials, timeouts: Timeouts,
): Promise<InstanceObservation> {
  const base = { name: addr.name, host: addr.host, port: addr.port };
  try {
    const state = await withSession(addr, credentials, timeouts, async (s) => {
      const [variables, replica, semi] = await Promise.all([
        s.query(dialect.probeSql.variables),
        s.query(dialect.probeSql.replicaStatus),
        s.query(dialect.probeSql.semiSyncStatus),
      ]);
      return dialect.parseProbe(variables[0] ?? {}, replica, semi);
    });
    return { ...base, state };
  } catch (err) {
    const e = toDatabaseError(err, addr.name, secretsOf(credentials));
    return { ...base, error: { kind: e.kind, message: e.message } };
  }
}

export function probeAll(
  instances: InstanceAddress[], dialect: Dialect, credentials: ManagerCredentials, timeouts: Timeouts,
): Promise<InstanceObservation[]> {
  return Promise.all(instances.map((i) => probeInstance(i, dialect, credentials, timeouts)));
}
