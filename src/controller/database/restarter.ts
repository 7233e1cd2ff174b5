/**
 * Hard restart of a database pod: deleted with gracePeriodSeconds=0, so its processes are killed
 * without a graceful shutdown (which would let commits waiting for a semi-sync ack complete) and
 * the StatefulSet recreates it on the same volume. Only for the fence of a returning old primary.
 */
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { InstanceRestarter } from '../../mysql/ports.js';
import type { PodWatch } from './pod-watch.js';

export class PodRestarter implements InstanceRestarter {
  private readonly api: CoreV1Api;

  constructor(kc: KubeConfig, private readonly pods: PodWatch, private readonly namespace: string) {
    this.api = kc.makeApiClient(CoreV1Api);
  }

  async restart(name: string): Promise<void> {
    const uid = this.pods.pod(this.namespace, name)?.metadata.uid;
    if (!uid) throw new Error(`pod ${this.namespace}/${name} is not known`);
    try {
      // The uid precondition: never the pod's successor, which already came back read-only.
      await this.api.deleteNamespacedPod({ name, namespace: this.namespace, gracePeriodSeconds: 0, body: { preconditions: { uid } } });
    } catch (err) {
      if ((err as { code?: number }).code !== 404) throw err;
    }
  }
}
