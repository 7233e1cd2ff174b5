/** The HTTP face of the API: routing, bodies, content negotiation, status codes; semantics live in api.ts. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import type { Api, PatchType, WriteOptions } from './api.js';
import { coreVersions, apiGroup, groupList, resourceList, versionInfo } from './discovery.js';
import { ApiError, badRequest } from './errors.js';
import type { FaultInjector } from './faults.js';
import { openApiDocument, openApiIndex } from './openapi.js';
import { openApiV2 } from './openapi-v2.js';
import { answerReview } from './access-review.js';
import { readPodLog, type PodLogSource } from './pod-logs.js';
import type { ResourceType } from './resource-type.js';
import { decodeProtobuf, isProtobuf } from './protobuf.js';
import { parseRoute } from './routes.js';
import { checkFieldSelector } from './field-labels.js';
import { bothSelectors } from './selectors.js';
import { toTable, type IncludeObject } from './table.js';
import { objectJson } from './object-json.js';
import type { KubeObject } from './types.js';
import type { WatchHub } from './watch.js';

export interface HttpContext {
  api: Api;
  watches: WatchHub;
  faults: FaultInjector;
  serverAddress: () => string;
  bookmarkIntervalMs: number;
  podLogs?: PodLogSource;
}

const MAX_BODY = 16 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) reject(new ApiError(413, 'RequestEntityTooLarge', 'the request body is too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseBody(raw: Buffer, contentType: string): unknown {
  if (isProtobuf(contentType)) return raw.length ? decodeProtobuf(raw) : undefined;
  const text = raw.toString('utf8');
  if (!text.trim()) return undefined;
  try {
    return contentType.includes('yaml') ? parseYamlOrJson(text) : JSON.parse(text);
  } catch (err) {
    throw badRequest(`the request body could not be decoded: ${(err as Error).message}`);
  }
}

/**
 * Clients send server-side apply bodies as JSON under the YAML content type; JSON is YAML, but
 * the YAML parser is many times slower, so JSON that parses is taken as is. JSON with duplicate
 * keys goes to the YAML parser, which rejects it as kube does.
 */
function parseYamlOrJson(text: string): unknown {
  if (text.trimStart().startsWith('{')) {
    try {
      const json: unknown = JSON.parse(text);
      if (!hasDuplicateKeys(text)) return json;
    } catch {
      // Not JSON (a YAML flow mapping): the YAML parser decides.
    }
  }
  return parseYaml(text);
}

/** Whether some object in valid JSON text repeats a key, which JSON.parse silently allows. */
function hasDuplicateKeys(text: string): boolean {
  const objects: (Set<string> | undefined)[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const keys = objects[objects.length - 1];
      if (keys && expectKey) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (keys.has(key)) return true;
        keys.add(key);
        expectKey = false;
      }
      i = end;
    } else if (c === '{') {
      objects.push(new Set());
      expectKey = true;
    } else if (c === '[') {
      objects.push(undefined);
    } else if (c === '}' || c === ']') {
      objects.pop();
    } else if (c === ',') {
      expectKey = objects[objects.length - 1] !== undefined;
    }
  }
  return false;
}

/**
 * A list's items as kube-apiserver writes them: a built-in kind's items carry no apiVersion and
 * kind (its typed list leaves them out); a custom resource's keep theirs.
 */
function listItems(type: ResourceType, items: KubeObject[]): unknown[] {
  if (type.crd) return items;
  return items.map((o) => {
    const { apiVersion: _apiVersion, kind: _kind, ...rest } = o;
    return rest;
  });
}

function send(res: ServerResponse, code: number, body: unknown, warnings: string[] = []): void {
  sendJson(res, code, JSON.stringify(body), warnings);
}

/** An object the API returned (stored, or a view of it): its JSON shared with the watch events of that version. */
function sendObject(res: ServerResponse, code: number, obj: KubeObject, warnings: string[] = []): void {
  sendJson(res, code, objectJson(obj), warnings);
}

function sendJson(res: ServerResponse, code: number, text: string, warnings: string[]): void {
  const headers: Record<string, string | string[]> = { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)) };
  if (warnings.length) headers.Warning = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  res.writeHead(code, headers);
  res.end(text);
}

const patchTypes: Record<string, PatchType> = {
  'application/merge-patch+json': 'merge',
  'application/json-patch+json': 'json',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

function wantsTable(accept: string | undefined): boolean {
  return Boolean(accept && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept));
}

export async function handle(ctx: HttpContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    await route(ctx, req, res);
  } catch (err) {
    const e = err instanceof ApiError ? err : new ApiError(500, 'InternalError', `Internal error occurred: ${(err as Error).message}`);
    if (!res.headersSent) send(res, e.code, e.status());
    else res.end();
  }
}

async function route(ctx: HttpContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const q = url.searchParams;
  const r = parseRoute(url.pathname);
  const types = ctx.api.registry.all();
  const method = req.method ?? 'GET';
  const notFoundPage = (): void => send(res, 404, new ApiError(404, 'NotFound', 'the server could not find the requested resource').status());
  switch (r.kind) {
    case 'root':
      return send(res, 200, { paths: ['/api', '/api/v1', '/apis', '/openapi/v2', '/openapi/v3', '/version', '/healthz'] });
    case 'version':
      return send(res, 200, versionInfo());
    case 'health':
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok');
      return;
    case 'coreVersions':
      return send(res, 200, coreVersions(ctx.serverAddress()));
    case 'groups':
      return send(res, 200, groupList(types));
    case 'group': {
      const g = apiGroup(types, r.group);
      return g ? send(res, 200, g) : notFoundPage();
    }
    case 'resourceList': {
      const list = resourceList(types, r.group, r.version);
      return list ? send(res, 200, list) : notFoundPage();
    }
    case 'openapiIndex':
      return send(res, 200, openApiIndex(types));
    case 'openapi': {
      const doc = openApiDocument(types, r.gv);
      return doc ? send(res, 200, doc) : notFoundPage();
    }
    case 'openapiV2':
      return send(res, 200, openApiV2(types));
    case 'unknown':
      return notFoundPage();
    case 'resource':
      break;
  }
  const type = ctx.api.registry.find(r.group, r.version, r.plural);
  if (!type) return notFoundPage();
  const podLog = r.subresource === 'log' && type.group === '' && type.plural === 'pods';
  if (r.subresource && !podLog && !((r.subresource === 'status' && type.statusSubresource) || (r.subresource === 'scale' && type.scale))) return notFoundPage();
  const watching = r.watchPrefix || q.get('watch') === 'true' || q.get('watch') === '1';
  const verb = verbOf(method, Boolean(r.name), watching);
  const fault = ctx.faults.take(verb, r.subresource ? `${r.plural}/${r.subresource}` : r.plural, r.group, r.name);
  if (fault) throw fault;
  const namespace = type.namespaced ? r.namespace : undefined;
  if (type.namespaced && !namespace && r.name) return notFoundPage();
  const table = wantsTable(req.headers.accept);
  const includeObject = (q.get('includeObject') ?? 'PartialObjectMetadata') as IncludeObject;
  const writeOpts = (): WriteOptions => ({
    fieldManager: q.get('fieldManager') ?? undefined,
    userAgent: req.headers['user-agent'],
    dryRun: q.getAll('dryRun').includes('All'),
    fieldValidation: q.get('fieldValidation') ?? undefined,
    force: q.get('force') === 'true',
    subresource: r.subresource === 'status' ? 'status' : undefined,
  });
  const contentType = String(req.headers['content-type'] ?? 'application/json').split(';')[0].trim();

  if (watching) {
    if (method !== 'GET') return notFoundPage();
    checkFieldSelector(type, q.get('fieldSelector') ?? undefined);
    const matches = bothSelectors(q.get('labelSelector') ?? undefined, r.name ? `metadata.name=${r.name}${q.get('fieldSelector') ? `,${q.get('fieldSelector')}` : ''}` : (q.get('fieldSelector') ?? undefined));
    ctx.watches.serve(
      {
        type,
        namespace,
        matches,
        resourceVersion: q.get('resourceVersion') ?? undefined,
        timeoutSeconds: q.get('timeoutSeconds') ? Number(q.get('timeoutSeconds')) : undefined,
        bookmarks: q.get('allowWatchBookmarks') === 'true',
        sendInitialEvents: q.get('sendInitialEvents') === 'true',
        bookmarkIntervalMs: ctx.bookmarkIntervalMs,
        table: table ? includeObject : undefined,
      },
      res,
    );
    return;
  }

  if (!r.name) {
    if (method === 'GET') {
      const list = ctx.api.list(type, namespace, {
        labelSelector: q.get('labelSelector') ?? undefined,
        fieldSelector: q.get('fieldSelector') ?? undefined,
        limit: q.get('limit') ? Number(q.get('limit')) : undefined,
        continue: q.get('continue') ?? undefined,
      });
      const metadata = { resourceVersion: list.resourceVersion, ...(list.continue ? { continue: list.continue, remainingItemCount: list.remainingItemCount } : {}) };
      if (table) return send(res, 200, toTable(type, list.items, includeObject, metadata));
      return send(res, 200, { kind: type.listKind, apiVersion: type.group ? `${type.group}/${type.version}` : type.version, metadata, items: listItems(type, list.items) });
    }
    if (method === 'POST') {
      const body = parseBody(await readBody(req), contentType);
      if (type.group === 'authorization.k8s.io') return send(res, 201, answerReview(type.kind, body));
      const result = ctx.api.create(type, namespace, body, writeOpts());
      return sendObject(res, 201, result.object, result.warnings);
    }
    if (method === 'DELETE') {
      const body = parseBody(await readBody(req), contentType) as Record<string, unknown> | undefined;
      const list = ctx.api.list(type, namespace, { labelSelector: q.get('labelSelector') ?? undefined, fieldSelector: q.get('fieldSelector') ?? undefined });
      const deleted: KubeObject[] = [];
      for (const o of list.items) {
        try {
          deleted.push(ctx.api.delete(type, o.metadata.namespace, o.metadata.name!, deleteOptions(q, body)));
        } catch (err) {
          if (!(err instanceof ApiError && err.code === 404)) throw err;
        }
      }
      return send(res, 200, { kind: type.listKind, apiVersion: type.group ? `${type.group}/${type.version}` : type.version, metadata: {}, items: listItems(type, deleted) });
    }
    return methodNotAllowed(res, method);
  }

  const name = r.name;
  if (podLog) {
    if (method !== 'GET') return methodNotAllowed(res, method);
    const text = await readPodLog(ctx.podLogs, ctx.api.get(type, namespace, name), q);
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': String(Buffer.byteLength(text)) });
    res.end(text);
    return;
  }
  if (r.subresource === 'scale') {
    const opts = { ...writeOpts(), subresource: undefined };
    if (method === 'GET') return send(res, 200, ctx.api.getScale(type, namespace, name));
    if (method === 'PUT') return send(res, 200, ctx.api.updateScale(type, namespace, name, { body: parseBody(await readBody(req), contentType) }, opts));
    if (method === 'PATCH') {
      const patchType = patchTypes[contentType] === 'strategic' ? 'merge' : patchTypes[contentType];
      if (!patchType) throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${Object.keys(patchTypes).join(', ')}`);
      return send(res, 200, ctx.api.updateScale(type, namespace, name, { patchType, patch: parseBody(await readBody(req), contentType) }, opts));
    }
    return methodNotAllowed(res, method);
  }
  switch (method) {
    case 'GET': {
      const obj = ctx.api.get(type, namespace, name);
      if (table) return send(res, 200, toTable(type, [obj], includeObject, { resourceVersion: obj.metadata.resourceVersion }));
      return sendObject(res, 200, obj);
    }
    case 'PUT': {
      const body = parseBody(await readBody(req), contentType);
      const result = ctx.api.update(type, namespace, name, body, writeOpts());
      return sendObject(res, result.created ? 201 : 200, result.object, result.warnings);
    }
    case 'PATCH': {
      const patchType = patchTypes[contentType];
      if (!patchType) {
        throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${Object.keys(patchTypes).join(', ')}`);
      }
      const body = parseBody(await readBody(req), contentType);
      const result = ctx.api.patch(type, namespace, name, patchType, body, writeOpts());
      return sendObject(res, result.created ? 201 : 200, result.object, result.warnings);
    }
    case 'DELETE': {
      const body = parseBody(await readBody(req), contentType) as Record<string, unknown> | undefined;
      const obj = ctx.api.delete(type, namespace, name, deleteOptions(q, body));
      const stillThere = stillExists(ctx.api, type, obj);
      return send(res, stillThere ? 202 : 200, obj);
    }
    default:
      return methodNotAllowed(res, method);
  }
}

function stillExists(api: Api, type: ResourceType, obj: KubeObject): boolean {
  try {
    return api.get(type, obj.metadata.namespace, obj.metadata.name!).metadata.uid === obj.metadata.uid;
  } catch {
    return false;
  }
}

function deleteOptions(q: URLSearchParams, body: Record<string, unknown> | undefined): Parameters<Api['delete']>[3] {
  const b = body ?? {};
  const grace = q.get('gracePeriodSeconds') ?? b.gracePeriodSeconds;
  return {
    propagationPolicy: (q.get('propagationPolicy') ?? b.propagationPolicy ?? (b.orphanDependents === true ? 'Orphan' : undefined)) as string | undefined,
    preconditions: (b.preconditions ?? undefined) as { uid?: string; resourceVersion?: string } | undefined,
    gracePeriodSeconds: grace === undefined || grace === null ? undefined : Number(grace),
    dryRun: q.getAll('dryRun').includes('All') || (Array.isArray(b.dryRun) && b.dryRun.includes('All')),
  };
}

function verbOf(method: string, named: boolean, watching: boolean): string {
  if (watching) return 'watch';
  switch (method) {
    case 'GET':
      return named ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}

function methodNotAllowed(res: ServerResponse, method: string): void {
  send(res, 405, new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource (${method})`).status());
}
