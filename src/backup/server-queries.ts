/** The few questions backups ask a server over SQL, on one short admin connection each. */
import mysql from 'mysql2/promise';
import type { InstanceAddress } from '../mysql/ports.js';
import { toDatabaseError } from '../mysql/sanitize.js';
import { sqlTls, type Login } from './client-tools.js';
import { SYSTEM_DATABASES } from './dump.js';

/** One statement on an instance as `login` (query below; a scripted session in tests). */
export type RunSql = <T>(addr: InstanceAddress, login: Login, sql: string) => Promise<T[]>;

export async function query<T>(addr: InstanceAddress, login: Login, sql: string): Promise<T[]> {
  let conn: mysql.Connection | undefined;
  try {
    conn = await mysql.createConnection({ host: addr.host, port: addr.port, user: login.user, password: login.password, connectTimeout: 5000,
      ssl: sqlTls(addr, login) });
    const [rows] = await conn.query({ sql, timeout: 30_000 });
    return rows as T[];
  } catch (err) {
    throw toDatabaseError(err, addr.name, [login.password]);
  } finally {
    conn?.destroy();
  }
}

const notSystem = `(${SYSTEM_DATABASES.map((d) => `'${d}'`).join(', ')})`;

/** Every database but the server's own, sorted. */
export async function userDatabases(addr: InstanceAddress, login: Login): Promise<string[]> {
  const rows = await query<{ name: string }>(addr, login, `SELECT schema_name AS name FROM information_schema.schemata WHERE schema_name NOT IN ${notSystem} ORDER BY schema_name`);
  return rows.map((r) => r.name);
}

/** Up to 5 tables outside the server's own databases, as `db.table`. */
export async function someUserTables(addr: InstanceAddress, login: Login, run: RunSql = query): Promise<string[]> {
  const rows = await run<{ t: string }>(addr, login,
    `SELECT CONCAT(table_schema, '.', table_name) AS t FROM information_schema.tables WHERE table_schema NOT IN ${notSystem} ORDER BY t LIMIT 5`);
  return rows.map((r) => r.t);
}

/** @@gtid_binlog_pos: the newest transaction of each domain in the server's binlog. */
export async function binlogPosition(addr: InstanceAddress, login: Login): Promise<string> {
  const [row] = await query<{ pos: string }>(addr, login, 'SELECT @@gtid_binlog_pos AS pos');
  return row?.pos ?? '';
}
