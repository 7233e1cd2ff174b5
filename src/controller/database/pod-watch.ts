/** A watched cache of the pods in the operator's namespaces: database topology and early pokes come from it. */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../../log.js';
import type { Clock } from '../../clock.js';
import { Informer, type InformerEvent } from '../../kube/informer.js';
import type { KubeClient } from '../../kube/client.js';
import { POD } from '../../kube/resource-type.js';
import { slimTransform } from '../../kube/cache-transform.js';
import { LabelIndex } from '../../kube/label-index.js';
import { LABEL_STACK } from '../../api/labels.js';
import type { DatabasePod } from './topology.js';

export class PodWatch {
  private readonly informers: Informer[];
  private readonly byStack = new LabelIndex(LABEL_STACK);
  private started: Promise<void> | undefined;
  private stopping = false;

  /** `namespaces` empty: every namespace. */
  constructor(kc: KubeConfig, client: KubeClient, namespaces: readonly string[], clock: Clock, log: Logger) {
    const scopes = namespaces.length > 0 ? namespaces : [undefined];
    // A pod's status is what topology reads; its managed fields nothing does.
    const transform = slimTransform({ statusRead: new Set([POD.kind]) });
    this.informers = scopes.map((ns) => new Informer(kc, client, POD, ns, clock, log, { transform }));
    // Registered first, so every other handler already finds the pod in the index.
    for (const i of this.informers) i.on((type, o) => (type === 'delete' ? this.byStack.delete(o) : this.byStack.set(o)));
  }

  on(handler: (type: InformerEvent, pod: DatabasePod) => void): void {
    for (const i of this.informers) i.on((type, o) => handler(type, o as unknown as DatabasePod));
  }

  /** Starts on first use; resolves once every informer has listed, or once stopped (pods it may never list: RBAC, an unreachable server). */
  ready(): Promise<void> {
    this.started ??= (async () => {
      await Promise.all(this.informers.map((i) => i.start()));
      while (!this.stopping && !this.informers.every((i) => i.hasSynced())) await new Promise((r) => setTimeout(r, 50));
    })();
    return this.started;
  }

  /** The pods in `namespace` labelled as the stack's (the label alone proves nothing: see isDatabasePodOf). */
  stackPods(namespace: string, stack: string): DatabasePod[] {
    return this.byStack.get(namespace, stack) as unknown as DatabasePod[];
  }

  pod(namespace: string, name: string): DatabasePod | undefined {
    for (const i of this.informers) {
      if (i.namespace !== undefined && i.namespace !== namespace) continue;
      const p = i.get(namespace, name);
      if (p) return p as unknown as DatabasePod;
    }
    return undefined;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (!this.started) return;
    await this.started.catch(() => undefined);
    await Promise.all(this.informers.map((i) => i.stop()));
  }
}
