/**
 * In-process implementations of the manager's ports: the benchmark and the tests use them, and
 * they show the contract the Kubernetes-backed ones (WebStack status, pod labels, Events) follow.
 */
import type {
  ClusterRecord, ClusterState, ClusterStatePatch, ClusterTopology, DatabaseReport, EventSink, InstanceAddress, RoleLabel, RoleLabeler,
  StatusWriter,
} from './ports.js';

export class MemoryRecord implements ClusterRecord {
  private state: ClusterState;
  /** Every state written, in order, with the time it was written. */
  readonly history: { at: number; state: ClusterState }[] = [];

  constructor(initial: ClusterState = {}) {
    this.state = structuredClone(initial);
  }

  async read(): Promise<ClusterState> {
    return structuredClone(this.state);
  }

  async write(patch: ClusterStatePatch): Promise<void> {
    const next: Record<string, unknown> = { ...this.state };
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete next[k];
      else if (v !== undefined) next[k] = structuredClone(v);
    }
    this.state = next as ClusterState;
    this.history.push({ at: Date.now(), state: structuredClone(this.state) });
  }

  /** The current state without a promise, for proxies that follow the primary. */
  snapshot(): ClusterState {
    return structuredClone(this.state);
  }
}

export class MemoryLabeler implements RoleLabeler {
  roles: Record<string, RoleLabel | undefined> = {};

  async setRoles(roles: Record<string, RoleLabel | undefined>): Promise<void> {
    this.roles = { ...roles };
  }
}

export class MemoryStatus implements StatusWriter {
  /** Every report published, in order. */
  readonly reports: DatabaseReport[] = [];

  async publish(report: DatabaseReport): Promise<void> {
    this.reports.push(structuredClone(report));
  }
}

export interface RecordedEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export class MemoryEvents implements EventSink {
  readonly events: RecordedEvent[] = [];

  event(type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.events.push({ type, reason, message });
  }
}

export class StaticTopology implements ClusterTopology {
  constructor(private readonly list: () => InstanceAddress[]) {}

  async instances(): Promise<InstanceAddress[]> {
    return this.list();
  }
}
