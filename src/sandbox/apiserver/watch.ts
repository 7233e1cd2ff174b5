/** Serves a watch: a chunked stream of JSON lines, from a resourceVersion, until timeout or close. */
import type { ServerResponse } from 'node:http';
import type { Api } from './api.js';
import { apiVersionOf, storageKey, type ResourceType } from './resource-type.js';
import type { Selector } from './selectors.js';
import { toTable, type IncludeObject } from './table.js';
import { objectJson } from './object-json.js';
import type { KubeObject } from './types.js';
import { watchEventFor, type WatchScope } from './watch-filter.js';
import { WatchLines } from './watch-lines.js';

const INITIAL_EVENTS_END = 'k8s.io/initial-events-end';

export interface WatchRequest {
  type: ResourceType;
  namespace?: string;
  matches: Selector;
  resourceVersion?: string;
  timeoutSeconds?: number;
  bookmarks: boolean;
  /**
   * A watch-list (client-go's reflector since 1.35, so kubectl and helm): the current objects as
   * ADDED, then a bookmark annotated k8s.io/initial-events-end, which the client waits for
   * before it considers its cache synced.
   */
  sendInitialEvents?: boolean;
  bookmarkIntervalMs: number;
  /** `kubectl get -w` asks for Tables: each event's object is then a one-row Table. */
  table?: IncludeObject;
}

export class WatchHub {
  private readonly open = new Set<() => void>();

  /** Watches of custom resources, by CRD name: they end when their CRD is deleted. */
  private readonly byCrd = new Map<() => void, string>();

  constructor(private readonly api: Api) {
    api.store.subscribe((e) => {
      if (e.type !== 'DELETED' || e.resource !== 'apiextensions.k8s.io/customresourcedefinitions') return;
      for (const [close, crd] of [...this.byCrd]) if (crd === e.object.metadata.name) close();
    });
  }

  get count(): number {
    return this.open.size;
  }

  dropAll(): void {
    for (const close of [...this.open]) close();
  }

  serve(req: WatchRequest, res: ServerResponse): void {
    const { type } = req;
    const store = this.api.store;
    const scope: WatchScope = { resource: storageKey(type), namespace: type.namespaced ? req.namespace : undefined, matches: (o) => req.matches(this.api.view(type, o)) };
    const view = (o: KubeObject): KubeObject => this.api.view(type, o);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    const lines = new WatchLines(res);
    const send = (t: string, object: unknown): void => {
      lines.write(`${JSON.stringify({ type: t, object })}\n`);
    };
    const sendStored = (t: string, object: KubeObject): void => {
      if (req.table) {
        send(t, toTable(type, [view(object)], req.table, { resourceVersion: object.metadata.resourceVersion }));
        return;
      }
      // The object's JSON is made once however many watchers see it (objectJson); only the event's wrapper is per watcher.
      lines.write(`{"type":${JSON.stringify(t)},"object":${objectJson(view(object))}}\n`);
    };
    const rv = req.resourceVersion;
    const bookmark = (annotations?: Record<string, string>): void =>
      send('BOOKMARK', { kind: type.kind, apiVersion: apiVersionOf(type), metadata: { resourceVersion: String(store.currentRv), ...(annotations ? { annotations } : {}) } });
    if (req.sendInitialEvents) {
      for (const o of store.list(scope.resource, scope.namespace)) if (scope.matches(o)) sendStored('ADDED', o);
      bookmark({ [INITIAL_EVENTS_END]: 'true' });
    } else if (rv === undefined || rv === '' || rv === '0') {
      for (const o of store.list(scope.resource, scope.namespace)) if (scope.matches(o)) sendStored('ADDED', o);
    } else {
      const from = Number(rv);
      const past = Number.isInteger(from) ? store.eventsSince(from, scope.resource) : undefined;
      if (!past) {
        send('ERROR', {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: Number.isInteger(from) ? `too old resource version: ${rv} (${store.oldestRv})` : `invalid resource version: ${rv}`,
          reason: Number.isInteger(from) ? 'Expired' : 'BadRequest',
          code: Number.isInteger(from) ? 410 : 400,
        });
        lines.end();
        return;
      }
      for (const e of past) {
        const out = watchEventFor(scope, e);
        if (out) sendStored(out.type, out.object);
      }
    }
    const unsubscribe = store.subscribe((e) => {
      const out = watchEventFor(scope, e);
      if (out) sendStored(out.type, out.object);
    });
    const timers: NodeJS.Timeout[] = [];
    if (req.bookmarks) {
      timers.push(setInterval(() => bookmark(), req.bookmarkIntervalMs));
    }
    const close = (): void => {
      this.byCrd.delete(close);
      if (!this.open.delete(close)) return;
      unsubscribe();
      for (const t of timers) clearInterval(t);
      lines.end();
    };
    if (req.timeoutSeconds && req.timeoutSeconds > 0) timers.push(setTimeout(close, req.timeoutSeconds * 1000));
    this.open.add(close);
    if (type.crd) this.byCrd.set(close, type.crd);
    res.on('close', close);
  }
}
