/**
 * The agent's HTTP server: every request carries the stack's bearer token; the endpoints do
 * fixed jobs (protocol.ts) and run no command a caller names. Errors answer JSON {error}.
 */
import { createHash } from 'node:crypto';
import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { diskUsage, fenceServer, NoServerError } from './local-server.js';
import { DEFAULT_BACKUP_TOOLS, streamBackup, type BackupStream, type BackupTools, type LocalServer } from './mariadb-backup.js';
import { BinlogRequestError, closedBinlogStream } from './binlog-files.js';
import { MAX_RELAY_LOGS, placeRelayLog, removeRelayLogs } from './relay-logs.js';
import { NoCloneError, removeCloneDirectory, streamCloneDirectory } from './clone-copy.js';
import { AGENT_PATHS, agentToken, BACKUP_FORMATS, BACKUP_HEADERS, COPY_TRAILERS, RELAY_LOG_SHA256, tokenMatches, type BackupFormat, type RestoreRequest } from './protocol.js';
import { CorruptUploadError, restoreFromBackup } from './backup-restore.js';
import { ConflictError, Restorer } from './restore.js';
import { HttpError, readJson, send } from './http-json.js';

/** The largest JSON request body the agent reads. */
const MAX_JSON_BYTES = 64 * 1024;

export interface AgentConfig extends LocalServer {
  tools?: BackupTools;
  /** Where the agent reports (never the token or a password). */
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

function restoreRequest(body: unknown): RestoreRequest {
  const donor = (body as { donor?: { host?: unknown; port?: unknown } } | null)?.donor;
  if (typeof donor?.host !== 'string' || !/^[A-Za-z0-9.:-]+$/.test(donor.host)) throw new HttpError(400, 'donor.host: a host name or address is required');
  if (typeof donor.port !== 'number' || !Number.isInteger(donor.port) || donor.port < 1 || donor.port > 65535) throw new HttpError(400, 'donor.port: a port (1-65535) is required');
  return { donor: { host: donor.host, port: donor.port } };
}

/** Streams a copy (the local server's physical copy, a clone directory or a closed binlog), then the trailers that let the reader check it. */
function serveCopy(config: AgentConfig, backup: BackupStream, res: ServerResponse): void {
  const hash = createHash('sha256');
  let bytes = 0;
  config.log?.('serving a copy');
  res.writeHead(200, { 'content-type': 'application/octet-stream', trailer: Object.values(COPY_TRAILERS).join(', ') });
  // A reader gone mid-copy stops the backup; what it still writes is drained, so its end is seen and reported.
  let readerGone = false;
  res.once('close', () => {
    if (res.writableFinished) return;
    readerGone = true;
    backup.abort();
    backup.stream.resume();
  });
  backup.stream.on('data', (chunk: Buffer) => {
    hash.update(chunk);
    bytes += chunk.length;
    if (res.destroyed) return;
    if (!res.write(chunk)) {
      backup.stream.pause();
      res.once('drain', () => backup.stream.resume());
    }
  });
  const streamed = new Promise<void>((resolve) => backup.stream.once('end', resolve));
  void Promise.all([backup.exit, streamed]).then(([finished]) => {
    const exit = readerGone ? { ok: false, message: 'the reader went away before the copy ended' } : finished;
    config.log?.('copy served', { bytes, ok: exit.ok, ...(exit.ok ? {} : { error: exit.message }) });
    res.addTrailers({ [COPY_TRAILERS.sha256]: hash.digest('hex'), [COPY_TRAILERS.bytes]: String(bytes), [COPY_TRAILERS.result]: exit.ok ? 'ok' : exit.message });
    res.end();
  });
}

export function createAgentServer(config: AgentConfig): Server {
  const token = agentToken(config.adminPassword);
  const restorer = new Restorer({ dataDir: config.dataDir, token, tools: config.tools, fence: () => fenceServer(config.dataDir) });
  /** The backup an upload in progress restores (it and a rebuild share the staging directory). */
  let uploading: string | undefined;

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!tokenMatches(token, req.headers.authorization)) throw new HttpError(401, 'a valid bearer token is required');
    const key = `${req.method} ${(req.url ?? '').split('?')[0]}`;
    if (key.startsWith(`GET ${AGENT_PATHS.binlogs}/`)) {
      try {
        return serveCopy(config, closedBinlogStream(config.dataDir, decodeURIComponent(key.slice(`GET ${AGENT_PATHS.binlogs}/`.length))), res);
      } catch (err) {
        if (err instanceof BinlogRequestError) throw new HttpError(err.status, err.message);
        throw err;
      }
    }
    if (key.startsWith(`PUT ${AGENT_PATHS.relayLogs}/`)) {
      const seq = Number(key.slice(`PUT ${AGENT_PATHS.relayLogs}/`.length));
      const sha256 = String(req.headers[RELAY_LOG_SHA256] ?? '');
      if (!Number.isInteger(seq) || seq < 1 || seq > MAX_RELAY_LOGS) throw new HttpError(400, `a relay log file number (1-${MAX_RELAY_LOGS}) is required`);
      if (!/^[0-9a-f]{64}$/.test(sha256)) throw new HttpError(400, `${RELAY_LOG_SHA256}: the file's SHA-256 (64 hex digits) is required`);
      const placed = await placeRelayLog(config.dataDir, seq, sha256, req);
      config.log?.('placed an archived binlog as a relay log', placed);
      return send(res, 200, placed);
    }
    switch (key) {
      case `DELETE ${AGENT_PATHS.relayLogs}`: return send(res, 200, { removed: removeRelayLogs(config.dataDir) });
      case `POST ${AGENT_PATHS.fence}`: {
        try {
          const pid = fenceServer(config.dataDir);
          config.log?.('fenced the server (SIGKILL)', { pid });
          return send(res, 200, { killed: pid });
        } catch (err) {
          if (err instanceof NoServerError) throw new HttpError(409, err.message);
          throw err;
        }
      }
      case `GET ${AGENT_PATHS.disk}`: return send(res, 200, await diskUsage(config.dataDir));
      case `GET ${AGENT_PATHS.physicalCopy}`: return serveCopy(config, streamBackup(config, config.tools ?? DEFAULT_BACKUP_TOOLS), res);
      case `GET ${AGENT_PATHS.cloneCopy}`:
      case `DELETE ${AGENT_PATHS.cloneCopy}`: {
        const name = new URL(req.url ?? '', 'http://agent').searchParams.get('backup') ?? '';
        try {
          if (req.method === 'DELETE') return send(res, 200, { removed: removeCloneDirectory(config.dataDir, name) });
          return serveCopy(config, streamCloneDirectory(config.dataDir, name), res);
        } catch (err) {
          throw new HttpError(err instanceof NoCloneError ? 404 : 400, (err as Error).message);
        }
      }
      case `GET ${AGENT_PATHS.restore}`: return send(res, 200, restorer.state());
      case `POST ${AGENT_PATHS.restore}`: {
        const request = restoreRequest(await readJson(req, MAX_JSON_BYTES));
        if (uploading) throw new HttpError(409, `backup ${uploading} is being restored`);
        config.log?.('rebuilding from a donor', { donor: `${request.donor.host}:${request.donor.port}` });
        return send(res, 202, restorer.start(request));
      }
      case `PUT ${AGENT_PATHS.restoreBackup}`: {
        const sha256 = String(req.headers[BACKUP_HEADERS.sha256] ?? '');
        const backup = String(req.headers[BACKUP_HEADERS.name] ?? '');
        if (!/^[0-9a-f]{64}$/.test(sha256)) throw new HttpError(400, `${BACKUP_HEADERS.sha256}: the backup's SHA-256 (64 hex digits) is required`);
        if (!/^[a-z0-9.-]{1,253}$/.test(backup)) throw new HttpError(400, `${BACKUP_HEADERS.name}: the backup's name is required`);
        const format = String(req.headers[BACKUP_HEADERS.format] ?? 'mbstream') as BackupFormat;
        if (!BACKUP_FORMATS.includes(format)) throw new HttpError(400, `${BACKUP_HEADERS.format}: '${format}' is not one of ${BACKUP_FORMATS.join(', ')}`);
        const current = restorer.state();
        if (uploading) throw new HttpError(409, `backup ${uploading} is being restored`);
        if (current.phase !== 'idle' && current.phase !== 'failed') throw new HttpError(409, `a rebuild from ${current.donor} is ${current.phase}`);
        config.log?.('restoring a backup', { backup, format });
        uploading = backup;
        try {
          return send(res, 200, await restoreFromBackup(req, {
            server: config, sha256, backup, format, tools: config.tools, fence: () => fenceServer(config.dataDir),
          }));
        } finally {
          uploading = undefined;
        }
      }
      case `DELETE ${AGENT_PATHS.restore}`: {
        const before = restorer.state();
        await restorer.forget();
        if (before.phase === 'copying' || before.phase === 'preparing') config.log?.('stopped the rebuild in progress', { donor: before.donor, phase: before.phase });
        return send(res, 200, restorer.state());
      }
      default: throw new HttpError(404, `no endpoint ${key}`);
    }
  };

  return http.createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : err instanceof ConflictError ? 409 : err instanceof CorruptUploadError ? 422 : 500;
      const message = err instanceof Error ? err.message : String(err);
      if (status === 500) config.log?.('request failed', { path: req.url, error: message });
      if (res.headersSent) res.destroy();
      else send(res, status, { error: message });
    });
  });
}
