/**
 * A small REST client for the API server: the requests the controller makes, each counted (the
 * benchmark reports requests per stack), with the TLS and auth settings of a client-node KubeConfig.
 */
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { DEFAULT_TIMINGS } from '../timings.js';
import { resourcePath, type ResourceType } from './resource-type.js';

export class ApiError extends Error {
  constructor(readonly code: number, readonly reason: string, message: string) {
    super(message);
  }
}

export function isNotFound(err: unknown): boolean {
  return err instanceof ApiError && err.code === 404;
}

export function isConflict(err: unknown): boolean {
  return err instanceof ApiError && err.code === 409;
}

export type KubeObj = { apiVersion: string; kind: string; metadata: Record<string, unknown> & { name?: string; namespace?: string } }
  & Record<string, unknown>;

export interface ListResult<T> {
  items: T[];
  metadata: { resourceVersion?: string };
}

export interface RequestCounts {
  total: number;
  writes: number;
  byVerb: Record<string, number>;
}

const WRITE_VERBS = new Set(['create', 'update', 'patch', 'apply', 'delete']);
/** How long the kubeconfig's credentials, once taken, are used for further requests. */
const AUTH_REFRESH_MS = 1000;

export class KubeClient {
  readonly counts: RequestCounts = { total: 0, writes: 0, byVerb: {} };
  private agent: http.Agent | undefined;
  private readonly server: URL;
  /** The server URL's path, without a trailing slash: each request's path goes after it. */
  private readonly basePath: string;
  /** The kubeconfig's credentials as request options, and when they were taken (see `authOptions`). */
  private auth: { opts: https.RequestOptions; at: number } | undefined;

  constructor(private readonly kc: KubeConfig, private readonly timeoutMs = DEFAULT_TIMINGS.apiRequestTimeoutMs) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig: no current cluster');
    this.server = new URL(cluster.server);
    this.basePath = this.server.pathname.replace(/\/$/, '');
  }

  /** Count a request made elsewhere (the informers' watches) under `verb`. */
  count(verb: string): void {
    this.counts.total++;
    this.counts.byVerb[verb] = (this.counts.byVerb[verb] ?? 0) + 1;
    if (WRITE_VERBS.has(verb)) this.counts.writes++;
  }

  async list<T = KubeObj>(t: ResourceType, namespace?: string, labelSelector?: string): Promise<ListResult<T>> {
    const q = labelSelector ? `?labelSelector=${encodeURIComponent(labelSelector)}` : '';
    const result = (await this.request('list', 'GET', `${resourcePath(t, namespace)}${q}`)) as ListResult<T>;
    // A real API server leaves apiVersion and kind out of the items of a built-in kind's list (watch
    // events and single objects carry them); every reader keys objects by them, so they go back in.
    return { ...result, items: result.items.map((o) => ({ apiVersion: t.apiVersion, kind: t.kind, ...o })) };
  }

  async get<T = KubeObj>(t: ResourceType, namespace: string | undefined, name: string): Promise<T | undefined> {
    try {
      return (await this.request('get', 'GET', resourcePath(t, namespace, name))) as T;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** A discovery document (`/api/v1`, `/apis/group/version`); 404 when the server does not serve it. */
  async discovery<T>(path: string): Promise<T> {
    return (await this.request('discovery', 'GET', path)) as T;
  }

  async create<T = KubeObj>(t: ResourceType, namespace: string | undefined, obj: object): Promise<T> {
    return (await this.request('create', 'POST', resourcePath(t, namespace), obj)) as T;
  }

  /** PUT: fails with 409 when metadata.resourceVersion is stale. */
  async update<T = KubeObj>(t: ResourceType, namespace: string | undefined, name: string, obj: object): Promise<T> {
    return (await this.request('update', 'PUT', resourcePath(t, namespace, name), obj)) as T;
  }

  async mergePatch<T = KubeObj>(t: ResourceType, namespace: string | undefined, name: string, patch: object,
    subresource?: 'status'): Promise<T> {
    const path = resourcePath(t, namespace, name) + (subresource ? `/${subresource}` : '');
    return (await this.request('patch', 'PATCH', path, patch, 'application/merge-patch+json')) as T;
  }

  /** Server-side apply (JSON is YAML), taking ownership of the fields in `obj` from other managers. */
  async apply<T = KubeObj>(t: ResourceType, obj: KubeObj, fieldManager: string): Promise<T> {
    const q = `?fieldManager=${encodeURIComponent(fieldManager)}&force=true`;
    const path = resourcePath(t, obj.metadata.namespace, obj.metadata.name) + q;
    return (await this.request('apply', 'PATCH', path, obj, 'application/apply-patch+yaml')) as T;
  }

  /** Delete, only if the object still has `uid` (it may have been replaced meanwhile); gone already is done. */
  async delete(t: ResourceType, namespace: string | undefined, name: string, uid?: string,
    opts: { gracePeriodSeconds?: number } = {}): Promise<void> {
    const body = { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background', ...(uid ? { preconditions: { uid } } : {}), ...opts };
    try {
      await this.request('delete', 'DELETE', resourcePath(t, namespace, name), body);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  close(): void {
    this.agent?.destroy();
  }

  /**
   * The kubeconfig's TLS material and auth headers, taken again once a second at most: each take makes
   * an HTTPS agent of its own (unused here) and re-reads credentials, which a token file or an exec
   * plugin renews on a scale of minutes. At hundreds of requests a second it cost a tenth of a millisecond each.
   */
  private async authOptions(): Promise<https.RequestOptions> {
    const now = Date.now();
    if (this.auth && now - this.auth.at < AUTH_REFRESH_MS) return this.auth.opts;
    const opts: https.RequestOptions = {};
    await this.kc.applyToHTTPSOptions(opts);
    this.auth = { opts, at: now };
    return opts;
  }

  private async request(verb: string, method: string, path: string, body?: object, contentType = 'application/json'): Promise<unknown> {
    this.count(verb);
    const opts = await this.authOptions();
    const secure = this.server.protocol === 'https:';
    // One keep-alive agent for every request, with the TLS material the kubeconfig gave.
    this.agent ??= secure
      ? new https.Agent({ keepAlive: true, ca: opts.ca, cert: opts.cert, key: opts.key, rejectUnauthorized: opts.rejectUnauthorized, servername: opts.servername })
      : new http.Agent({ keepAlive: true });
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string | number> = { ...(opts.headers as Record<string, string>), accept: 'application/json' };
    if (payload) {
      headers['content-type'] = contentType;
      headers['content-length'] = payload.length;
    }
    return new Promise((resolve, reject) => {
      const req = (secure ? https : http).request({
        protocol: this.server.protocol, hostname: this.server.hostname, port: this.server.port, path: this.basePath + path, method, headers,
        agent: this.agent, auth: opts.auth, timeout: this.timeoutMs,
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            // Not JSON (a proxy's error page): the raw text goes into the error message below.
          }
          const code = res.statusCode ?? 0;
          if (code >= 200 && code < 300) {
            resolve(parsed);
            return;
          }
          const status = (parsed ?? {}) as { reason?: string; message?: string };
          reject(new ApiError(code, status.reason ?? 'Unknown', `${method} ${path.split('?')[0]}: ${code} ${status.message ?? text.slice(0, 200)}`));
        });
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path.split('?')[0]}: timed out after ${this.timeoutMs}ms`)));
      req.on('error', reject);
      if (payload) req.write(payload);
      req.end();
    });
  }
}
