/**
 * Restarts of database pods, which the StatefulSet recreates on the same volume. Hard: deleted with
 * gracePeriodSeconds=0, so its processes are killed without a graceful shutdown (which would let
 * commits waiting for a semi-sync ack complete); only for the fence of a returning old primary.
 * Replace: an ordinary deletion, for a rolling update (the StatefulSet updates OnDelete).
 */
import type { KubeClient } from '../../kube/client.js';
import { POD } from '../../kube/resource-type.js';
import type { InstanceRestarter, InstanceRoller } from '../../mysql/ports.js';
import type { PodWatch } from './pod-watch.js';

export class PodRestarter implements InstanceRestarter, InstanceRoller {
  constructor(private readonly client: KubeClient, private readonly pods: PodWatch, private readonly namespace: string) {}

  async restart(name: string): Promise<void> {
    const uid = this.pods.pod(this.namespace, name)?.metadata.uid;
    if (!uid) throw new Error(`pod ${this.namespace}/${name} is not known`);
    // The uid precondition: never the pod's successor, which already came back read-only.
    await this.client.delete(POD, this.namespace, name, uid, { gracePeriodSeconds: 0 });
  }

  async replace(name: string): Promise<void> {
    const uid = this.pods.pod(this.namespace, name)?.metadata.uid;
    if (!uid) throw new Error(`pod ${this.namespace}/${name} is not known`);
    // The uid precondition: never the replacement, which already runs the new template.
    await this.client.delete(POD, this.namespace, name, uid);
  }
}
