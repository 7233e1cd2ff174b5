/** Admin connections with hard deadlines (a hung server must never hang the manager): short-lived for actions, kept for probes. */
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
  /**
   * Runs statements that only read, in one round trip (a multi-statement query): the rows of each,
   * in order. A probe is one write and one answer on the wire instead of one per statement.
   */
  queries(statements: readonly string[], timeoutMs?: number): Promise<Row[][]>;
}

/** What one query answered, as the driver gives it: rows, a result header, or one of those per statement of a multi-statement query. */
type Answer = unknown;

/** A Session over one function that sends SQL and returns the driver's answer. */
function sessionOver(send: (sql: string, timeoutMs?: number) => Promise<Answer>): Session {
  const rowsOf = (answer: Answer): Row[] => (Array.isArray(answer) ? (answer as Row[]) : []);
  return {
    query: async (sql, timeoutMs) => rowsOf(await send(sql, timeoutMs)),
    async queries(statements, timeoutMs) {
      if (statements.length === 1) return [rowsOf(await send(statements[0], timeoutMs))];
      const answers = await send(statements.join(';\n'), timeoutMs);
      if (!Array.isArray(answers) || answers.length !== statements.length) {
        throw new DatabaseError('other', `${statements.length} statements sent in one query, ${Array.isArray(answers) ? answers.length : 1} results came back`, 'RESULT_COUNT');
      }
      return answers.map(rowsOf);
    },
  };
}

function secretsOf(c: ManagerCredentials): string[] {
  return [c.adminPassword, c.replicationPassword, c.appPassword, c.exporterPassword];
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

/**
 * The admin connection to one instance. `caBundle`: what an instance that serves TLS (`addr.tls`)
 * must prove its certificate by. The chain is verified, not the host name: instances are dialled by
 * pod IP, and the stack's CA signs nothing but this stack's database certificate. Without a bundle
 * such an instance is not connected to at all.
 */
function connectionOptions(addr: InstanceAddress, credentials: ManagerCredentials, timeouts: Timeouts, where: string,
  caBundle: string | undefined): mysql.ConnectionOptions {
  if (addr.tls && !caBundle) throw new DatabaseError('other', `connect to ${where}: it serves TLS and the stack's CA bundle is not known yet`, 'NO_CA');
  return {
    host: addr.host, port: addr.port, user: credentials.adminUser, password: credentials.adminPassword,
    connectTimeout: timeouts.connectMs, supportBigNumbers: true, bigNumberStrings: true,
    // For Session.queries. Every value the operator puts in SQL is quoted by the dialect (quote, quoteIdentifier).
    multipleStatements: true,
    ...(addr.tls ? { ssl: { ca: caBundle, rejectUnauthorized: true } } : {}),
  };
}

export async function withSession<T>(
  addr: InstanceAddress, credentials: ManagerCredentials, timeouts: Timeouts, fn: (s: Session) => Promise<T>, caBundle?: string,
): Promise<T> {
  const secrets = secretsOf(credentials);
  const where = `${addr.name} (${addr.host}:${addr.port})`;
  const pending = mysql.createConnection(connectionOptions(addr, credentials, timeouts, where, caBundle));
  let conn: mysql.Connection;
  try {
    conn = await deadline(pending, timeouts.connectMs + 100, `connect to ${where}`, () => {
      pending.then((c) => c.destroy(), () => undefined);
    });
  } catch (err) {
    throw toDatabaseError(err, `connect to ${where}`, secrets);
  }
  conn.on('error', () => undefined);
  const session = sessionOver(async (sql, timeoutMs = timeouts.queryMs) => {
    try {
      const [answer] = await deadline(conn.query({ sql, timeout: timeoutMs }), timeoutMs + 200, where, () => conn.destroy());
      return answer;
    } catch (err) {
      throw toDatabaseError(err, where, secrets);
    }
  });
  try {
    return await fn(session);
  } finally {
    conn.destroy();
  }
}

/**
 * One admin connection per instance, kept open between probes and used by actions too: a probe
 * is one multi-statement query on a connection that is already there, and a failover's steps pay no TCP, TLS
 * and authentication handshake each. Any error closes the connection, and the next use dials
 * again. Probe queries get the connect deadline (a hung server is found as fast as when each probe
 * connected anew); a caller may give its statements another default (actions: the query deadline).
 */
export class KeptSessions {
  private readonly open = new Map<string, Promise<mysql.Connection>>();

  /** Connections closed here (retain, close, a failed query): their end is no news. */
  private readonly closing = new WeakSet<mysql.Connection>();

  /** Errors of a kept connection found broken by a statement (not a server's answer, nor a timeout): worth one more dial. */
  private readonly broken = new WeakSet<Error>();

  /**
   * `caBundle` is read at each dial (see withSession). `onLost` hears of a kept connection the
   * server side ended (a crashed or killed server): its manager looks at once, not at its next tick.
   */
  constructor(private readonly credentials: ManagerCredentials, private readonly timeouts: Timeouts,
    private readonly caBundle: () => string | undefined = () => undefined, private readonly onLost: (instance: string) => void = () => undefined) {}

  async with<T>(addr: InstanceAddress, fn: (s: Session) => Promise<T>, queryMs = this.timeouts.connectMs): Promise<T> {
    const kept = this.open.has(this.key(addr));
    try {
      return await this.once(addr, fn, queryMs);
    } catch (err) {
      // A kept connection the server closed (restart, idle timeout) before we heard of it is no news
      // about the server: dial once more. A timeout is (the server may hang, and the caller must hear
      // it now), and so is the server's answer to a statement: that is never run twice.
      if (!kept || !this.broken.has(err as Error)) throw err;
      return this.once(addr, fn, queryMs);
    }
  }

  private key(addr: InstanceAddress): string {
    return `${addr.name}|${addr.host}|${addr.port}|${addr.tls ? 'tls' : 'plain'}`;
  }

  private async once<T>(addr: InstanceAddress, fn: (s: Session) => Promise<T>, queryMs: number): Promise<T> {
    const key = this.key(addr);
    const secrets = secretsOf(this.credentials);
    const where = `${addr.name} (${addr.host}:${addr.port})`;
    let pending = this.open.get(key);
    if (!pending) {
      pending = this.dial(addr, where, secrets);
      this.open.set(key, pending);
    }
    let conn: mysql.Connection | undefined;
    let broken = false;
    try {
      conn = await pending;
      const c = conn;
      return await fn(sessionOver(async (sql, timeoutMs = queryMs) => {
        try {
          const [answer] = await deadline(c.query({ sql, timeout: timeoutMs }), timeoutMs + 200, where, () => this.destroy(c));
          return answer;
        } catch (err) {
          broken = (err as { fatal?: boolean }).fatal === true && !(err instanceof DatabaseError);
          throw err;
        }
      }));
    } catch (err) {
      if (this.open.get(key) === pending) this.open.delete(key);
      if (conn) this.destroy(conn);
      const e = toDatabaseError(err, where, secrets);
      if (broken && e.kind !== 'timeout') this.broken.add(e);
      throw e;
    }
  }

  /** Closes the connections to instances not in `keep` (gone from the topology). */
  retain(keep: readonly InstanceAddress[]): void {
    const wanted = new Set(keep.map((a) => this.key(a)));
    for (const [key, pending] of this.open) {
      if (wanted.has(key)) continue;
      this.open.delete(key);
      pending.then((c) => this.destroy(c), () => undefined);
    }
  }

  private destroy(conn: mysql.Connection): void {
    this.closing.add(conn);
    conn.destroy();
  }

  /** Closes every connection; a later use dials again. */
  close(): void {
    this.retain([]);
  }

  private async dial(addr: InstanceAddress, where: string, secrets: string[]): Promise<mysql.Connection> {
    let pending: Promise<mysql.Connection>;
    try {
      pending = mysql.createConnection(connectionOptions(addr, this.credentials, this.timeouts, where, this.caBundle()));
    } catch (err) {
      throw toDatabaseError(err, `connect to ${where}`, secrets);
    }
    try {
      const conn = await deadline(pending, this.timeouts.connectMs + 100, `connect to ${where}`, () => {
        pending.then((c) => c.destroy(), () => undefined);
      });
      const key = this.key(addr);
      const kept = this.open.get(key);
      let ended = false;
      const lost = () => {
        if (ended || this.closing.has(conn)) return;
        ended = true;
        if (this.open.get(key) === kept) this.open.delete(key);
        this.onLost(addr.name);
      };
      conn.on('error', lost);
      conn.once('end', lost);
      return conn;
    } catch (err) {
      throw toDatabaseError(err, `connect to ${where}`, secrets);
    }
  }
}
