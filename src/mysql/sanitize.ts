/**
 * Error text that may reach a log line, a condition or an Event. mysql2 errors can quote the SQL
 * they failed on, and our SQL carries passwords (CREATE USER ... IDENTIFIED BY, CHANGE MASTER ...
 * MASTER_PASSWORD), so every message is scrubbed of the known secrets and of anything in a
 * password position before it leaves this module.
 */
const PASSWORD_CLAUSES = [
  /(IDENTIFIED\s+BY\s+)('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")/gi,
  /((?:MASTER|SOURCE)_PASSWORD\s*=\s*)('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")/gi,
  /(PASSWORD\s*\(\s*)('(?:[^'\\]|\\.)*')/gi,
];

export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const re of PASSWORD_CLAUSES) out = out.replace(re, "$1'***'");
  for (const s of secrets) if (s) out = out.split(s).join('***');
  return out;
}

export type DatabaseErrorKind = 'refused' | 'timeout' | 'auth' | 'other';

/** An error that is safe to show: it carries a scrubbed message and a kind, never the SQL. */
export class DatabaseError extends Error {
  constructor(readonly kind: DatabaseErrorKind, message: string, readonly code?: string) {
    super(message);
    this.name = 'DatabaseError';
  }
}

function kindOf(code: string | undefined): DatabaseErrorKind {
  switch (code) {
    case 'ECONNREFUSED': return 'refused';
    case 'ETIMEDOUT':
    case 'PROTOCOL_SEQUENCE_TIMEOUT':
    case 'DEADLINE': return 'timeout';
    case 'ER_ACCESS_DENIED_ERROR':
    case 'ER_DBACCESS_DENIED_ERROR': return 'auth';
    default: return 'other';
  }
}

export function toDatabaseError(err: unknown, where: string, secrets: readonly string[]): DatabaseError {
  if (err instanceof DatabaseError) return err;
  const e = err as { code?: string; message?: string } | undefined;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const message = scrub(`${where}: ${e?.message ?? String(err)}`, secrets);
  return new DatabaseError(kindOf(code), message, code);
}
