/**
 * The backup store's HTTP server: the stack's backup volume as an object API (store-protocol.ts)
 * for the operator alone. Objects are files under the volume (VolumeStore); bodies stream both ways,
 * and a PUT cut short leaves nothing. Every request but the health check carries the bearer token.
 */
import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { HttpError, readJson, send } from '../agent/http-json.js';
import { tokenMatches } from '../agent/protocol.js';
import { STORE_MAX_JSON_BYTES, STORE_PATHS } from './store-protocol.js';
import { VolumeStore } from './volume-store.js';

export interface StoreConfig {
  /** The backup volume's directory. */
  dir: string;
  /** The stack's store token. Never logged. */
  token: string;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}


/** The object key of a path under /v1/objects/, refused when a segment is empty, '.' or '..'. */
function keyOf(pathname: string): string {
  let segments: string[];
  try {
    segments = pathname.slice(STORE_PATHS.objects.length + 1).split('/').map(decodeURIComponent);
  } catch {
    throw new HttpError(400, 'the object key is not valid URI encoding');
  }
  if (segments.some((s) => s === '' || s === '.' || s === '..' || s.includes('/'))) throw new HttpError(400, `'${segments.join('/')}' is not an object key`);
  return segments.join('/');
}

export function createStoreServer(config: StoreConfig): Server {
  const volume = new VolumeStore(config.dir);

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // The raw path, not WHATWG URL's: it would resolve an encoded '..' before the key is checked.
    const [pathname, query = ''] = (req.url ?? '/').split('?', 2);
    const url = { pathname, searchParams: new URLSearchParams(query) };
    if (req.method === 'GET' && url.pathname === STORE_PATHS.health) return send(res, 200, { ok: true });
    if (!tokenMatches(config.token, req.headers.authorization)) throw new HttpError(401, 'a valid bearer token is required');
    if (url.pathname.startsWith(`${STORE_PATHS.objects}/`)) {
      const key = keyOf(url.pathname);
      switch (req.method) {
        case 'PUT': return send(res, 200, { key, size: await volume.put(key, req) });
        case 'HEAD': {
          const found = await volume.head(key);
          res.writeHead(found ? 200 : 404, found ? { 'content-length': found.size } : {});
          return void res.end();
        }
        case 'GET': {
          const found = await volume.head(key);
          if (!found) throw new HttpError(404, `no object ${key}`);
          res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': found.size });
          return pipeline(await volume.get(key), res);
        }
        default: throw new HttpError(405, `${req.method} is not allowed on an object`);
      }
    }
    if (req.method === 'GET' && url.pathname === STORE_PATHS.list) return send(res, 200, await volume.list(url.searchParams.get('prefix') ?? ''));
    if (req.method === 'POST' && url.pathname === STORE_PATHS.delete) {
      const keys = (await readJson(req, STORE_MAX_JSON_BYTES) as { keys?: unknown } | null)?.keys;
      if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) throw new HttpError(400, 'keys: a list of object keys is required');
      await volume.delete(keys as string[]);
      config.log?.('objects deleted', { count: keys.length });
      return send(res, 200, { deleted: keys.length });
    }
    throw new HttpError(404, `no endpoint ${req.method} ${url.pathname}`);
  };

  return http.createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      const status = err instanceof HttpError ? err.status : /leaves the backup directory/.test(message) ? 400 : 500;
      if (status === 500) config.log?.('request failed', { method: req.method, path: req.url, error: message });
      if (res.headersSent) res.destroy();
      else send(res, status, { error: message });
    });
  });
}
