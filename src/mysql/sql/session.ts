/** Short-lived admin connections with hard deadlines: a hung server must never hang the manager. */
import mysql from 'mysql2/promise';
import type { Row } from './dialect.js';
import type { ManagerCredentials, InstanceAddress } from '../ports.js';
import { DatabaseError, toDatabaseError } from '../sanitize.js';

export interface Timeouts {
  connectMs: number;
  queryMs: number;
}

export interface Session {
  /** Runs one statement; `timeoutMs` overrides the default query deadline (for waits). */
  query(sql: string, timeoutMs?: number): Promise<Row[]>;
}

function secretsOf(c: ManagerCredentials): string[] {
  return [c.adminPassword, c.replicationPassword, c.appPassword];
}

function deadline<T>(p: Promise<T>, ms: number, what: string, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new DatabaseError('timeout', `${what}: no answer within ${ms} ms`, 'DEADLINE'));
    }, ms);
  });
  return Promise.race([p, expired]).finally(() => clearTimeout(timer));
}

export async function withSession<T>(
  addr: InstanceAddress, credentials: ManagerCredentials, timeouts: Timeouts, fn: (s: Session) => Promise<T>,
): Promise<T> {
  const secrets = secretsOf(credentials);
  const where = `${addr.name} (${addr.host}:${addr.port})`;
  const pending = mysql.createConnection({
    host: addr.host, port: addr.port, user: credentials.adminUser, password: credentials.adminPassword,
    connectTimeout: timeouts.connectMs, supportBigNumbers: true, bigNumberStrings: true,
  });
  let conn: mysql.Connection;
  try {
    conn = await deadline(pending, timeouts.connectMs + 100, `connect to ${where}`, () => {
      pending.then((c) => c.destroy(), () => undefined);
    });
  } catch (err) {
    throw toDatabaseError(err, `connect to ${where}`, secrets);
  }
  conn.on('error', () => undefined);
  const session: Session = {
    async query(sql, timeoutMs = timeouts.queryMs) {
      try {
        const run = conn.query({ sql, timeout: timeoutMs });
        const [rows] = await deadline(run, timeoutMs + 200, where, () => conn.destroy());
        return Array.isArray(rows) ? (rows as Row[]) : [];
      } catch (err) {
        throw toDatabaseError(err, where, secrets);
      }
    },
  };
  try {
    return await fn(session);
  } finally {
    conn.destroy();
  }
}
