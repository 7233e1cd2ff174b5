/**
 * The ConfigMap that keeps a diverged instance's own transactions for a user, written before its
 * rebuild replaces them: the GTIDs and the binlog events that held them. Not the stack's
 * controller-owned child (the reconcile never prunes it), but garbage with the stack.
 */
import { names, stackLabels } from '../api/labels.js';
import { API_VERSION, KIND, type WebStack } from '../api/types.js';
import type { KubeObject } from './object.js';

/** Below the 1 MiB an object may take in etcd, with room for the rest of the ConfigMap. */
export const MAX_EVENTS_BYTES = 900 * 1024;

export const ERRANT_KEYS = { instance: 'instance', gtids: 'gtids', events: 'binlog-events.txt' } as const;

/** `events` longer than MAX_EVENTS_BYTES is cut at a line, with a last line saying so. */
export function renderErrantTransactions(ws: WebStack, instance: string, n: number, gtids: string, events: string): KubeObject {
  const stack = ws.metadata.name;
  let text = events;
  if (Buffer.byteLength(text) > MAX_EVENTS_BYTES) {
    const cut = Buffer.from(text).subarray(0, MAX_EVENTS_BYTES).toString('utf8');
    text = `${cut.slice(0, cut.lastIndexOf('\n') + 1)}# cut at ${MAX_EVENTS_BYTES} bytes of ${Buffer.byteLength(events)}\n`;
  }
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: names.errantTransactions(stack, instance, n),
      namespace: ws.metadata.namespace ?? 'default',
      labels: stackLabels(stack, 'database'),
      ...(ws.metadata.uid ? { ownerReferences: [{ apiVersion: API_VERSION, kind: KIND, name: stack, uid: ws.metadata.uid, controller: false }] } : {}),
    },
    data: { [ERRANT_KEYS.instance]: instance, [ERRANT_KEYS.gtids]: gtids, [ERRANT_KEYS.events]: text },
  };
}
