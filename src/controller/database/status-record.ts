/**
 * The manager's record in the WebStack's status.database, written with a merge patch to the
 * /status subresource before the manager acts. The record is read from the API server once (what
 * a restarted operator carries on from) and then kept in memory, since every later change is ours.
 */
import type { WebStack } from '../../api/types.js';
import type { ClusterRecord, ClusterState, ClusterStatePatch } from '../../mysql/ports.js';
import type { KubeClient } from '../../kube/client.js';
import { WEBSTACK } from '../resources.js';
import { applyPatch, clusterStateFromStatus, statusPatchFor, type StoredDatabaseStatus } from './record.js';

export class StatusRecord implements ClusterRecord {
  private state: ClusterState | undefined;

  constructor(private readonly client: KubeClient, private readonly namespace: string, private readonly name: string) {}

  async read(): Promise<ClusterState> {
    if (!this.state) {
      const ws = await this.client.get<WebStack>(WEBSTACK, this.namespace, this.name);
      if (!ws) throw new Error(`WebStack ${this.namespace}/${this.name} not found`);
      this.state = clusterStateFromStatus(ws.status?.database as StoredDatabaseStatus | undefined);
    }
    return structuredClone(this.state);
  }

  /** The in-memory copy changes only once the API server has taken the write. */
  async write(patch: ClusterStatePatch): Promise<void> {
    const current = await this.read();
    await this.client.mergePatch(WEBSTACK, this.namespace, this.name, statusPatchFor(patch), 'status');
    this.state = applyPatch(current, patch);
  }

  /** Observations (instances with role, readiness, lag, GTIDs) beside the record, in the same section. */
  async writeObserved(observed: Pick<StoredDatabaseStatus, 'instances'>): Promise<void> {
    await this.client.mergePatch(WEBSTACK, this.namespace, this.name, { status: { database: observed } }, 'status');
  }
}
