/**
 * The database interface in memory: servers with the state a probe would see, every operation
 * (and every record write, label move and restart, through the helpers) on one timeline, and
 * failures on demand. The executor is table-tested against it.
 */
import type { BinlogSearch } from '../../src/mysql/binlog-transactions.js';
import type { Database, DatabaseConnector, ReplicationSettings, SemiSyncSettings } from '../../src/mysql/database.js';
import type { InstanceObservation, ServerState } from '../../src/mysql/observation.js';
import { MemoryRecord } from '../../src/mysql/memory.js';
import type { ClusterState, ClusterStatePatch, InstanceAddress, InstanceKiller, InstanceRestarter, RoleLabel, RoleLabeler } from '../../src/mysql/ports.js';

export class FakeCluster {
  /** Everything that happened, in order: "<instance> <operation>", "record <keys>", "labels", "restart <instance>". */
  readonly timeline: string[] = [];
  readonly states = new Map<string, ServerState>();
  readonly record: LoggedRecord;
  readonly labeler: LoggedLabeler;
  /** Instances whose waitForGtidSet answers "not in time". */
  readonly lagging = new Set<string>();
  /** Operations ("<instance> <operation>") that throw. */
  readonly failing = new Set<string>();
  /** Operations that never answer, as on a hung (SIGSTOPped) server. */
  readonly hanging = new Set<string>();
  readonly restarter: InstanceRestarter;
  /** A kill logs "kill <instance>" (failing and hanging apply to that entry) and leaves the server gone. */
  readonly killer: InstanceKiller;

  constructor(observations: InstanceObservation[], record: ClusterState) {
    for (const o of observations) if (o.state) this.states.set(o.name, copy(o.state));
    this.record = new LoggedRecord(this.timeline, record);
    this.labeler = new LoggedLabeler(this.timeline);
    this.restarter = {
      restart: async (name) => {
        this.log(`restart ${name}`);
        const s = this.states.get(name);
        if (s) s.readOnly = true;
      },
    };
    this.killer = {
      kill: async (name) => {
        if (this.hanging.has(`kill ${name}`)) await new Promise<never>(() => undefined);
        this.log(`kill ${name}`);
        this.states.delete(name);
      },
    };
  }

  readonly connect: DatabaseConnector = (addr) => new FakeDatabase(this, addr);

  log(entry: string): void {
    if (this.failing.has(entry)) throw new Error(`${entry}: injected failure`);
    this.timeline.push(entry);
  }

  state(name: string): ServerState {
    const s = this.states.get(name);
    if (!s) throw new Error(`${name}: connection refused`);
    return s;
  }
}

class FakeDatabase implements Database {
  constructor(private readonly cluster: FakeCluster, private readonly addr: InstanceAddress) {}

  private async op(what: string): Promise<ServerState> {
    const s = this.cluster.state(this.addr.name);
    const entry = `${this.addr.name} ${what}`;
    if (this.cluster.hanging.has(entry)) await new Promise<never>(() => undefined);
    this.cluster.log(entry);
    return s;
  }

  async status(): Promise<ServerState> {
    return copy(this.cluster.state(this.addr.name));
  }

  async stopReplication(opts: { ioThreadOnly?: boolean } = {}): Promise<void> {
    const s = await this.op(opts.ioThreadOnly ? 'stop-replication(io)' : 'stop-replication');
    if (!s.replica) return;
    s.replica.ioThread = 'No';
    if (!opts.ioThreadOnly) s.replica.sqlThread = false;
  }

  async startReplication(opts: { sqlThreadOnly?: boolean } = {}): Promise<void> {
    const s = await this.op(opts.sqlThreadOnly ? 'start-replication(sql)' : 'start-replication');
    if (!s.replica) return;
    s.replica.sqlThread = true;
    if (!opts.sqlThreadOnly) s.replica.ioThread = 'Yes';
    // The relay log is applied at once.
    s.executed = s.executed.union(s.replica.retrieved);
    s.executedText = s.replica.retrievedText;
  }

  async pointAt(source: InstanceAddress, settings: ReplicationSettings): Promise<void> {
    const s = await this.op(`point-at ${source.name} (net timeout ${settings.netTimeoutSeconds}s${settings.semiSync?.replica ? ', semi-sync replica' : ''})`);
    s.readOnly = true;
    s.replica = { sourceHost: source.host, sourcePort: source.port, ioThread: 'Yes', sqlThread: true, lastIoError: '', lastIoErrno: 0, lastSqlError: '',
      secondsBehind: 0, retrieved: s.executed, retrievedText: s.executedText };
  }

  async waitForGtidSet(gtids: string): Promise<boolean> {
    await this.op(`wait-for ${gtids}`);
    return !this.cluster.lagging.has(this.addr.name);
  }

  async promote(semiSync?: SemiSyncSettings): Promise<void> {
    const s = await this.op(`promote${semiSync?.source ? ' (semi-sync source)' : ''}`);
    s.replica = undefined;
  }

  async setReadOnly(readOnly: boolean): Promise<void> {
    (await this.op(readOnly ? 'read-only' : 'writable')).readOnly = readOnly;
  }

  async setSemiSync(settings: SemiSyncSettings): Promise<void> {
    const s = await this.op(`semi-sync source=${settings.source} replica=${settings.replica}`);
    s.semiSync.sourceEnabled = settings.source;
    s.semiSync.replicaEnabled = settings.replica;
  }

  async killClients(): Promise<void> {
    await this.op('kill-clients');
  }

  async bootstrapUsers(): Promise<void> {
    await this.op('bootstrap-users');
  }

  async createExporterAccount(): Promise<void> {
    await this.op('exporter-account');
  }

  async reloadTls(): Promise<void> {
    await this.op('reload-tls');
  }

  async binlogTransactions(gtids: string, _exclude: string): Promise<BinlogSearch> {
    await this.op('binlog-transactions');
    return { transactions: [], missing: gtids, scannedEvents: 0 };
  }
}

class LoggedRecord extends MemoryRecord {
  constructor(private readonly timeline: string[], initial: ClusterState) {
    super(initial);
  }

  override async write(patch: ClusterStatePatch): Promise<void> {
    this.timeline.push(`record ${Object.keys(patch).sort().join(',')}`);
    await super.write(patch);
  }
}

class LoggedLabeler implements RoleLabeler {
  roles: Record<string, RoleLabel | undefined> = {};

  constructor(private readonly timeline: string[]) {}

  async setRoles(roles: Record<string, RoleLabel | undefined>): Promise<void> {
    this.timeline.push('labels');
    this.roles = { ...roles };
  }
}

/** A copy that keeps the GTID sets' classes (structuredClone would not). */
function copy(s: ServerState): ServerState {
  return { ...s, replica: s.replica && { ...s.replica }, semiSync: { ...s.semiSync } };
}
