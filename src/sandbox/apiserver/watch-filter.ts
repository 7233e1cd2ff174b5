/**
 * What a watcher sees of a store event: only its resource and namespace, and with a selector,
 * an object that starts matching arrives as ADDED and one that stops matching as DELETED.
 */
import type { Selector } from './selectors.js';
import type { EventType, StoreEvent } from './store.js';
import type { KubeObject } from './types.js';

export interface WatchScope {
  resource: string;
  namespace?: string;
  matches: Selector;
}

export function watchEventFor(scope: WatchScope, event: StoreEvent): { type: EventType; object: KubeObject } | undefined {
  if (event.resource !== scope.resource) return undefined;
  const inScope = (o: KubeObject | undefined): boolean =>
    o !== undefined && (scope.namespace === undefined || o.metadata.namespace === scope.namespace) && scope.matches(o);
  const now = event.type !== 'DELETED' && inScope(event.object);
  const before = inScope(event.previous);
  if (event.type === 'DELETED') return before ? { type: 'DELETED', object: event.object } : undefined;
  if (now && before) return { type: 'MODIFIED', object: event.object };
  if (now) return { type: 'ADDED', object: event.object };
  if (before) return { type: 'DELETED', object: event.object };
  return undefined;
}
