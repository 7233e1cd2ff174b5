/**
 * The Database interface in SQL: one dialect's statements, each operation in one short session
 * with hard deadlines. Credentials stay here; errors leave scrubbed of them.
 */
import { collectTransactions, olderFilesMayHold, type BinlogEvent, type BinlogSearch, type BinlogTransaction } from '../binlog-transactions.js';
import type { Database, DatabaseConnector, ReplicationSettings, SemiSyncSettings } from '../database.js';
import { parseGtidSet } from '../gtid.js';
import { scrub } from '../sanitize.js';
import type { ServerState } from '../observation.js';
import type { InstanceAddress, ManagerCredentials } from '../ports.js';
import { asText, combineSetGlobals, type Dialect } from './dialect.js';
import { withSession, type KeptSessions, type Session, type Timeouts } from './session.js';

/** Opens a session on one server for the length of `fn`. */
export type SessionOpener = <T>(fn: (s: Session) => Promise<T>) => Promise<T>;

export class SqlDatabase implements Database {
  /** `probe`: where status() runs (a kept connection); default `open`. */
  constructor(private readonly dialect: Dialect, private readonly credentials: ManagerCredentials, private readonly open: SessionOpener,
    private readonly probe: SessionOpener = open) {}

  status(): Promise<ServerState> {
    const d = this.dialect;
    const { variables, replicaStatus, semiSyncStatus } = d.probeSql;
    return this.probe(async (s) => {
      const [vars, replica, semi = []] = await s.queries(semiSyncStatus ? [variables, replicaStatus, semiSyncStatus] : [variables, replicaStatus]);
      return d.parseProbe(vars[0] ?? {}, replica, semi);
    });
  }

  stopReplication(opts: { ioThreadOnly?: boolean } = {}): Promise<void> {
    return this.run([opts.ioThreadOnly ? this.dialect.stopReplicaIoThread() : this.dialect.stopReplica()]);
  }

  startReplication(opts: { sqlThreadOnly?: boolean } = {}): Promise<void> {
    return this.run([opts.sqlThreadOnly ? this.dialect.startReplicaSqlThread() : this.dialect.startReplica()]);
  }

  pointAt(source: InstanceAddress, settings: ReplicationSettings): Promise<void> {
    const d = this.dialect;
    const c = this.credentials;
    return this.open(async (s) => {
      // The replica trusts the CA bundle it serves with itself: the same Secret, wherever it is mounted.
      const tls = source.tls ? { caFile: asText((await s.query(d.ownCaFileSql))[0]?.ca_file) } : undefined;
      for (const sql of combineSetGlobals([
        d.stopReplica(),
        ...d.setReadOnly(true),
        ...d.alignReplicaPosition(),
        d.replicaNetTimeout(settings.netTimeoutSeconds),
        ...(settings.semiSync ? d.semiSync(settings.semiSync) : []),
        d.changeSource({ host: source.host, port: source.port, user: c.replicationUser, password: c.replicationPassword,
          heartbeatSeconds: settings.netTimeoutSeconds / 2, tls }),
        d.startReplica(),
      ])) await s.query(sql);
    });
  }

  async waitForGtidSet(gtids: string, timeoutMs: number): Promise<boolean> {
    const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
    // The query's own deadline outlasts the server-side wait, so a timeout is an answer, not an error.
    const [row] = await this.open((s) => s.query(this.dialect.waitApplied(gtids, seconds), seconds * 1000 + 2000));
    return !!row && this.dialect.waitSucceeded(row);
  }

  promote(semiSync?: SemiSyncSettings): Promise<void> {
    const d = this.dialect;
    return this.run([d.stopReplica(), d.resetReplicaAll(), ...(semiSync ? d.semiSync(semiSync) : [])]);
  }

  setReadOnly(readOnly: boolean): Promise<void> {
    return this.run(this.dialect.setReadOnly(readOnly));
  }

  setSemiSync(settings: SemiSyncSettings): Promise<void> {
    return this.run(this.dialect.semiSync(settings));
  }

  killClients(): Promise<void> {
    const d = this.dialect;
    return this.open(async (s) => {
      for (const row of await s.query(d.clientConnections([this.credentials.adminUser, this.credentials.replicationUser]))) {
        // Gone already is as good as killed.
        await s.query(d.killConnection(Number(row.id))).catch(() => undefined);
      }
    });
  }

  bootstrapUsers(): Promise<void> {
    return this.run(this.dialect.bootstrapUsers(this.credentials));
  }

  createExporterAccount(): Promise<void> {
    return this.run(this.dialect.exporterAccount(this.credentials));
  }

  reloadTls(): Promise<void> {
    return this.run([this.dialect.reloadTls()]);
  }

  binlogTransactions(gtids: string, exclude: string, maxEvents: number): Promise<BinlogSearch> {
    const d = this.dialect;
    const c = this.credentials;
    const wanted = parseGtidSet(d.flavor, gtids);
    const excluded = parseGtidSet(d.flavor, exclude);
    const secrets = [c.adminPassword, c.replicationPassword, c.appPassword];
    return this.open(async (s) => {
      const files = (await s.query(d.binaryLogsSql)).map((r) => asText(r.Log_name)).reverse();
      const found: BinlogTransaction[] = [];
      let scanned = 0;
      // Newest first: a diverged instance's own writes are the last it made.
      for (const file of files) {
        if (scanned >= maxEvents) break;
        const events: BinlogEvent[] = [];
        let previous: string | undefined;
        for (let from = 4; scanned < maxEvents;) {
          const page = await s.query(d.binlogEvents(file, from, Math.min(1000, maxEvents - scanned)));
          if (page.length === 0) break;
          scanned += page.length;
          for (const r of page) {
            const e = { log: file, pos: Number(r.Pos), type: asText(r.Event_type), info: scrub(asText(r.Info), secrets) };
            previous ??= d.previousGtidsOfEvent(e.type, e.info);
            events.push(e);
          }
          from = Number(page[page.length - 1].End_log_pos);
        }
        found.unshift(...collectTransactions(events, wanted, excluded, d.flavor, (e) => d.gtidOfEvent(e.type, e.info)));
        if (previous !== undefined && !olderFilesMayHold(parseGtidSet(d.flavor, previous), excluded)) break;
      }
      const missing = found.reduce((left, t) => left.subtract(parseGtidSet(d.flavor, t.gtid)), wanted);
      return { transactions: found, missing: missing.toString(), scannedEvents: scanned };
    });
  }

  private run(statements: string[]): Promise<void> {
    return this.open(async (s) => {
      for (const sql of combineSetGlobals(statements)) await s.query(sql);
    });
  }
}

/**
 * SQL databases of one dialect, with the operator's admin credentials and deadlines; probes and
 * actions run on `kept` connections when given (see KeptSessions; actions with the query deadline),
 * otherwise each operation on a session of its own.
 * Instances that serve TLS are reached with TLS and verified against `caBundle`.
 */
export function sqlDatabases(dialect: Dialect, credentials: ManagerCredentials, timeouts: Timeouts, kept?: KeptSessions,
  caBundle?: string): DatabaseConnector {
  if (!kept) return (addr) => new SqlDatabase(dialect, credentials, (fn) => withSession(addr, credentials, timeouts, fn, caBundle));
  return (addr) => new SqlDatabase(dialect, credentials, (fn) => kept.with(addr, fn, timeouts.queryMs), (fn) => kept.with(addr, fn));
}
