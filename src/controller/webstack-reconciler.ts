/** The WebStack controller on the generic loop: which events wake which stack, and the Reconciler it runs. */
import type { WebStack } from '../api/types.js';
import type { Caches } from '../kube/caches.js';
import type { Controller, ReconcileOutcome, Reconciler } from '../kube/controller.js';
import { AppliedMemo } from './applied-memo.js';
import type { LiveObject } from './children.js';
import { reconcile, type ReconcileDeps } from './reconcile.js';
import { OWNED, WEBSTACK } from './resources.js';
import { ownerKey, stackKey } from './stack-keys.js';

export class WebStackReconciler implements Reconciler {
  private readonly memo = new AppliedMemo();

  constructor(private readonly deps: Omit<ReconcileDeps, 'memo'>) {}

  reconcile(key: string): Promise<ReconcileOutcome> {
    return reconcile(key, { ...this.deps, memo: this.memo });
  }
}

/** The key of every cached WebStack: what the controller starts with and resyncs. */
export function webStackKeys(caches: Caches): string[] {
  return caches.list<WebStack>(WEBSTACK.kind).map((ws) => stackKey(ws.metadata.namespace, ws.metadata.name));
}

/** A WebStack's own events and those of the objects it controls enqueue the stack. */
export function watchWebStacks(caches: Caches, controller: Controller): void {
  caches.on<WebStack>([WEBSTACK], (_type, ws) => controller.enqueue(stackKey(ws.metadata.namespace, ws.metadata.name)));
  caches.on<LiveObject>(OWNED, (_type, o) => {
    const key = ownerKey(o);
    if (key) controller.enqueue(key);
  });
  // A TLS Secret is the user's, not owned: its stacks are those that name it.
  caches.on<LiveObject>(OWNED.filter((t) => t.kind === 'Secret'), (_type, secret) => {
    for (const ws of caches.list<WebStack>(WEBSTACK.kind, secret.metadata.namespace)) {
      if (ws.spec?.loadBalancer?.tls?.secretName === secret.metadata.name) controller.enqueue(stackKey(ws.metadata.namespace, ws.metadata.name));
    }
  });
}
