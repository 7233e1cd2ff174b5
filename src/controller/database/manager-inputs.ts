/** The WebStack's Secret and spec in the terms the database manager takes. Pure. */
import type { ResolvedSpec } from '../../api/defaults.js';
import { EXPORTER_USER, type DatabaseCredentials } from '../../render/credentials.js';
import type { ManagerCredentials } from '../../mysql/ports.js';

export function managerCredentials(secret: DatabaseCredentials, spec: ResolvedSpec): ManagerCredentials {
  return { ...secret, databaseName: spec.database.databaseName, appUser: spec.database.user, exporterUser: EXPORTER_USER };
}
