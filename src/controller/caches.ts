/** The informers of every kind the controller reads, per watched namespace (or cluster-wide). */
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { LABEL_STACK } from '../api/labels.js';
import type { WebStack } from '../api/types.js';
import type { Logger } from '../log.js';
import type { LiveObject } from './children.js';
import type { Clock } from '../clock.js';
import { Informer, type InformerEvent } from './informer.js';
import type { KubeClient } from './kube-client.js';
import { OWNED, WEBSTACK } from './resources.js';

export class Caches {
  private readonly informers = new Map<string, Informer[]>();

  /** `namespaces` empty: watch the whole cluster. */
  constructor(kc: KubeConfig, client: KubeClient, namespaces: readonly string[], clock: Clock, log: Logger) {
    for (const t of [WEBSTACK, ...OWNED]) {
      const scopes = namespaces.length > 0 ? namespaces : [undefined];
      this.informers.set(t.kind, scopes.map((ns) => new Informer(kc, client, t, ns, clock, log)));
    }
  }

  onWebStack(handler: (type: InformerEvent, ws: WebStack) => void): void {
    for (const i of this.informers.get(WEBSTACK.kind)!) i.on((type, o) => handler(type, o as unknown as WebStack));
  }

  onOwned(handler: (type: InformerEvent, obj: LiveObject) => void): void {
    for (const t of OWNED) for (const i of this.informers.get(t.kind)!) i.on((type, o) => handler(type, o as unknown as LiveObject));
  }

  async start(): Promise<void> {
    await Promise.all([...this.informers.values()].flat().map((i) => i.start()));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.informers.values()].flat().map((i) => i.stop()));
  }

  hasSynced(): boolean {
    return [...this.informers.values()].flat().every((i) => i.hasSynced());
  }

  get<T = KubernetesObject>(kind: string, namespace: string, name: string): T | undefined {
    for (const i of this.scoped(kind, namespace)) {
      const o = i.get(namespace, name);
      if (o) return o as T;
    }
    return undefined;
  }

  webStacks(): WebStack[] {
    return this.informers.get(WEBSTACK.kind)!.flatMap((i) => i.list() as unknown as WebStack[]);
  }

  /** Every live object of the owned kinds labelled for `stack` in `namespace`. */
  ownedBy(namespace: string, stack: string): LiveObject[] {
    return OWNED.flatMap((t) => this.scoped(t.kind, namespace)
      .flatMap((i) => i.list(namespace) as unknown as LiveObject[])
      .filter((o) => o.metadata.labels?.[LABEL_STACK] === stack));
  }

  private scoped(kind: string, namespace: string): Informer[] {
    const all = this.informers.get(kind) ?? [];
    return all.filter((i) => i.namespace === undefined || i.namespace === namespace);
  }
}
