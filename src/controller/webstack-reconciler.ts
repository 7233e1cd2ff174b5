/** The WebStack controller on the generic loop: which events wake which stack, and the Reconciler it runs. */
import type { WebStack } from '../api/types.js';
import type { Caches } from '../kube/caches.js';
import type { Controller, ReconcileOutcome, Reconciler } from '../kube/controller.js';
import { AppliedMemo } from './applied-memo.js';
import { CertificateMemo } from './certificate-memo.js';
import { OwnWrites } from './own-writes.js';
import type { InformerEvent } from '../kube/informer.js';
import type { KubeObj } from '../kube/client.js';
import type { LiveObject } from './children.js';
import { memoKey, reconcile, type ReconcileDeps } from './reconcile.js';
import { OWNED, WEBSTACK } from './resources.js';
import { ownerKey, stackKey } from './stack-keys.js';
import { TlsSecretUsers } from './tls-secret-users.js';
import { WeightsSent } from './weights-sent.js';
import { LABEL_COMPONENT, LABEL_STACK } from '../api/labels.js';
import type { PodWatch } from './database/pod-watch.js';

export class WebStackReconciler implements Reconciler {
  private readonly memo = new AppliedMemo();
  private readonly certificates = new CertificateMemo();
  private readonly weightsSent = new WeightsSent();
  readonly ownWrites = new OwnWrites();

  constructor(private readonly deps: Omit<ReconcileDeps, 'memo' | 'ownWrites' | 'certificates' | 'weightsSent'>) {}

  reconcile(key: string): Promise<ReconcileOutcome> {
    return reconcile(key, { ...this.deps, memo: this.memo, ownWrites: this.ownWrites, certificates: this.certificates, weightsSent: this.weightsSent });
  }

  /** The cache has a new version of a child of stack `stack`: what the memo kept of it may go. */
  cached(o: LiveObject & { apiVersion: string; kind: string }, stack: string): void {
    this.memo.settle(memoKey(o, stack), o as unknown as KubeObj);
  }
}

/** The key of every cached WebStack: what the controller starts with and resyncs. */
export function webStackKeys(caches: Caches): string[] {
  return caches.list<WebStack>(WEBSTACK.kind).map((ws) => stackKey(ws.metadata.namespace, ws.metadata.name));
}

/**
 * A WebStack's own events and those of the objects it controls enqueue the stack, except the
 * echoes of the reconciler's own writes; so do its HAProxy pods' (each new one is sent the weights).
 */
export function watchWebStacks(caches: Caches, pods: PodWatch, controller: Controller, reconciler: WebStackReconciler): void {
  pods.on((_type, pod) => {
    const stack = pod.metadata.labels?.[LABEL_STACK];
    if (stack && pod.metadata.labels?.[LABEL_COMPONENT] === 'loadbalancer') controller.enqueue(stackKey(pod.metadata.namespace, stack));
  });
  const { ownWrites } = reconciler;
  /** Wakes stack `key` for the event, unless it is the echo of our write (held while the write is on its way). */
  const wake = (type: InformerEvent, o: LiveObject, key: string) => {
    if (type === 'delete') ownWrites.forget(o);
    else if (ownWrites.isEcho(o, () => controller.enqueue(key))) return;
    controller.enqueue(key);
  };
  const tlsUsers = new TlsSecretUsers();
  caches.on<WebStack & LiveObject>([WEBSTACK], (type, ws) => {
    if (type === 'delete') tlsUsers.delete(ws);
    else tlsUsers.set(ws);
    wake(type, ws, stackKey(ws.metadata.namespace, ws.metadata.name));
  });
  caches.on<LiveObject & { apiVersion: string; kind: string }>(OWNED, (type, o) => {
    const key = ownerKey(o);
    if (!key) return;
    if (type !== 'delete') reconciler.cached(o, key.slice(key.indexOf('/') + 1));
    wake(type, o, key);
  });
  // A TLS Secret is the user's or cert-manager's, not owned: its stacks are those that name it.
  caches.on<LiveObject>(OWNED.filter((t) => t.kind === 'Secret'), (_type, secret) => {
    for (const key of tlsUsers.stacks(secret.metadata.namespace, secret.metadata.name!)) controller.enqueue(key);
  });
}
