/**
 * Rebuilding a MySQL 8.4 instance with the clone plugin (manual 7.6.7, "The Clone Plugin"): the
 * plugin is loaded from the server config on every instance (plugin_load_add = mysql_clone.so);
 * the donor's clone user needs BACKUP_ADMIN; the recipient's session needs CLONE_ADMIN (the admin
 * account has ALL) and names the donor in clone_valid_donor_list; CLONE INSTANCE FROM replaces the
 * recipient's data and binary logs, GTID state included, and the server then exits to restart on
 * them (the pod's container restarts). performance_schema.clone_status survives that restart, so
 * an operator that restarted in the middle reads where the clone stands.
 */
import { isIP } from 'node:net';
import { asText, quote, type Row } from './dialect.js';

export interface CloneDonor {
  /** A host name or IPv4 address: the clone plugin does not take IPv6 addresses. */
  host: string;
  port: number;
  user: string;
  password: string;
}

/** Run on the primary (replicated to all): the clone user may read a donor's data. */
export function cloneDonorGrants(user: string): string[] {
  return [`GRANT BACKUP_ADMIN ON *.* TO ${quote(user)}@'%'`];
}

/** Whether the plugin is loaded: one row with PLUGIN_STATUS 'ACTIVE'. */
export const CLONE_PLUGIN_STATUS = "SELECT PLUGIN_STATUS AS status FROM information_schema.PLUGINS WHERE PLUGIN_NAME = 'clone'";

function donorAddress(donor: CloneDonor): string {
  if (isIP(donor.host) === 6) throw new Error(`clone donor ${donor.host}: the clone plugin does not accept IPv6 addresses; use the pod's DNS name`);
  if (!/^[A-Za-z0-9.-]+$/.test(donor.host)) throw new Error(`clone donor '${donor.host}' is not a host name or IPv4 address`);
  if (!Number.isInteger(donor.port) || donor.port < 1 || donor.port > 65535) throw new Error(`clone donor port ${donor.port} is not a port`);
  return `${donor.host}:${donor.port}`;
}

/**
 * The recipient's statements, in order. The last one runs until the copy is complete and the
 * server shuts down to restart on it: its connection then drops, which is success when
 * clone_status says so.
 */
export function cloneRecipientStatements(donor: CloneDonor): string[] {
  const address = donorAddress(donor);
  return [
    `SET GLOBAL clone_valid_donor_list = ${quote(address)}`,
    `CLONE INSTANCE FROM ${quote(donor.user)}@${quote(donor.host)}:${donor.port} IDENTIFIED BY ${quote(donor.password)}`,
  ];
}

/** The last clone's progress on this instance (none: no row). */
export const CLONE_STATUS = 'SELECT STATE AS state, ERROR_NO AS error_no, ERROR_MESSAGE AS error_message, SOURCE AS source '
  + 'FROM performance_schema.clone_status';

export type CloneProgress =
  | { state: 'none' }
  | { state: 'running'; source: string }
  | { state: 'completed'; source: string }
  | { state: 'failed'; source: string; error: string };

export function parseCloneStatus(rows: Row[]): CloneProgress {
  const row = rows[0];
  if (!row) return { state: 'none' };
  const source = asText(row.source);
  switch (asText(row.state)) {
    case 'Completed': return { state: 'completed', source };
    case 'Failed': return { state: 'failed', source, error: `${asText(row.error_no)}: ${asText(row.error_message)}` };
    case 'In Progress': case 'Not Started': return { state: 'running', source };
    default: return { state: 'failed', source, error: `unknown clone state '${asText(row.state)}'` };
  }
}
