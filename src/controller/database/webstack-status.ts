/**
 * The database manager's part of the WebStack status, written by the manager itself through the
 * /status subresource. The record is written with a merge patch of its own keys before the manager
 * acts, read from the API server once (what a restarted operator carries on from) and then kept in
 * memory, since every later change is ours. The report (instances, conditions) is written from the
 * stored status, conditional on its resourceVersion, since the reconcile writes the same list.
 */
import type { WebStack } from '../../api/types.js';
import type { Clock } from '../../clock.js';
import type { KubeClient } from '../../kube/client.js';
import { patchStatus } from '../../kube/status-patch.js';
import type { ClusterRecord, ClusterState, ClusterStatePatch, DatabaseReport, StatusWriter } from '../../mysql/ports.js';
import { rfc3339 } from '../conditions.js';
import { WEBSTACK } from '../resources.js';
import { applyPatch, clusterStateFromStatus, reportPatch, statusPatchFor, type StoredDatabaseStatus } from './stored-status.js';

export class WebStackDatabaseStatus implements ClusterRecord, StatusWriter {
  private state: ClusterState | undefined;

  constructor(private readonly client: KubeClient, private readonly namespace: string, private readonly name: string,
    private readonly clock: Clock) {}

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

  async publish(report: DatabaseReport): Promise<void> {
    await patchStatus<WebStack>(this.client, WEBSTACK, this.namespace, this.name, (ws) => reportPatch(ws, report, rfc3339(this.clock.now())));
  }
}
