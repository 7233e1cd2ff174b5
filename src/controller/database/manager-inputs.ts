/** The WebStack's Secret and spec in the terms the database manager takes. Pure. */
import type { ResolvedSpec } from '../../api/defaults.js';
import type { DatabaseCredentials as SecretCredentials } from '../../render/credentials.js';
import type { DatabaseCredentials } from '../../mysql/ports.js';

export function managerCredentials(secret: SecretCredentials, spec: ResolvedSpec): DatabaseCredentials {
  return { ...secret, databaseName: spec.database.databaseName, appUser: spec.database.user };
}
