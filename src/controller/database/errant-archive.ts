/** A diverged instance's transactions, saved in a ConfigMap beside its stack (render/errant-transactions.ts). */
import { MANAGER } from '../../api/labels.js';
import type { WebStack } from '../../api/types.js';
import type { KubeClient, KubeObj } from '../../kube/client.js';
import type { ErrantArchive } from '../../mysql/ports.js';
import { renderErrantTransactions } from '../../render/errant-transactions.js';
import { resourceFor } from '../resources.js';

const CONFIG_MAP = resourceFor('v1', 'ConfigMap');

export class ConfigMapErrantArchive implements ErrantArchive {
  /** `stack`: the WebStack as last seen (its uid owns the ConfigMap). */
  constructor(private readonly client: KubeClient, private readonly stack: () => WebStack) {}

  async save(instance: string, n: number, gtids: string, events: string): Promise<string> {
    const cm = renderErrantTransactions(this.stack(), instance, n, gtids, events);
    await this.client.apply(CONFIG_MAP, cm as KubeObj, MANAGER);
    return cm.metadata.name;
  }
}
