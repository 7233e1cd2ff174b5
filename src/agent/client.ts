/**
 * The operator's side of the agent protocol (and the backup code's): JSON calls with a deadline,
 * and a physical copy streamed into any sink, checked against its trailers before it counts.
 */
import http, { type IncomingMessage } from 'node:http';
import { Stream, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { measuring } from '../measuring-stream.js';
import { errorOf, readAll } from './http-json.js';
import { AGENT_PATHS, BACKUP_HEADERS, COPY_TRAILERS, RELAY_LOG_SHA256, type BackupFormat, type DiskUsage, type RestoreRequest, type RestoreState } from './protocol.js';

export interface AgentTarget {
  host: string;
  port: number;
}

export interface CopyReceipt {
  bytes: number;
  sha256: string;
}

export class AgentError extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
    this.name = 'AgentError';
  }
}

export interface AgentClientOptions {
  /** The stack's agent token (agentToken of the admin password). Never logged. */
  token: string;
  /** Deadline of a JSON call. */
  timeoutMs?: number;
  /** A physical copy fails when no byte arrives for this long. */
  copyIdleMs?: number;
  /** A backup upload fails when its answer (after the copy is prepared) takes longer than this. */
  restoreIdleMs?: number;
}

export class AgentClient {
  private readonly timeoutMs: number;
  private readonly copyIdleMs: number;
  private readonly restoreIdleMs: number;

  constructor(private readonly opts: AgentClientOptions) {
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.copyIdleMs = opts.copyIdleMs ?? 120_000;
    this.restoreIdleMs = opts.restoreIdleMs ?? 1_800_000;
  }

  /**
   * Uploads a stored physical backup (`body`, whose SHA-256 the backup recorded) to replace the
   * target's data directory; resolves with the `ready` state once its server has been fenced.
   */
  async restoreBackup(target: AgentTarget, backup: { name: string; sha256: string; format: BackupFormat }, body: Readable): Promise<RestoreState> {
    const headers = { [BACKUP_HEADERS.sha256]: backup.sha256, [BACKUP_HEADERS.name]: backup.name, [BACKUP_HEADERS.format]: backup.format };
    const res = await this.request(target, 'PUT', AGENT_PATHS.restoreBackup, body, this.restoreIdleMs, headers);
    if (res.statusCode !== 200) throw new AgentError(`restoring backup ${backup.name} at ${where(target)}: ${await errorOf(res)}`, res.statusCode);
    return JSON.parse(await readAll(res)) as RestoreState;
  }

  /** SIGKILL of the server in the target's pod. */
  async fence(target: AgentTarget): Promise<void> {
    await this.json(target, 'POST', AGENT_PATHS.fence);
  }

  async disk(target: AgentTarget): Promise<DiskUsage> {
    return this.json(target, 'GET', AGENT_PATHS.disk) as Promise<DiskUsage>;
  }

  /** Starts rebuilding the target from the donor's physical copy; returns at once. */
  async startRestore(target: AgentTarget, request: RestoreRequest): Promise<RestoreState> {
    return this.json(target, 'POST', AGENT_PATHS.restore, request) as Promise<RestoreState>;
  }

  async restoreState(target: AgentTarget): Promise<RestoreState> {
    return this.json(target, 'GET', AGENT_PATHS.restore) as Promise<RestoreState>;
  }

  /**
   * Forgets a finished (restored or failed) rebuild, once replication runs again; stops one still
   * copying or preparing (an abandoned rebuild), and resolves once it has stopped.
   */
  async forgetRestore(target: AgentTarget): Promise<void> {
    await this.json(target, 'DELETE', AGENT_PATHS.restore);
  }

  /**
   * Streams a physical copy of the target's server into `sink` (ended when the copy is complete)
   * and checks its length and SHA-256 against the trailers: resolves only for a whole, intact copy.
   */
  async physicalCopy(target: AgentTarget, sink: Writable, signal?: AbortSignal): Promise<CopyReceipt> {
    return this.copy(target, AGENT_PATHS.physicalCopy, 'physical copy', sink, signal);
  }

  /** Removes what an interrupted attempt of backup `backup` left of its clone directory (MySQL): a clone needs a directory that does not exist. */
  async removeCloneCopy(target: AgentTarget, backup: string): Promise<void> {
    await this.json(target, 'DELETE', `${AGENT_PATHS.cloneCopy}?backup=${encodeURIComponent(backup)}`);
  }

  /** The tar archive of the clone directory of backup `backup` (MySQL), checked like a physical copy. */
  async cloneCopy(target: AgentTarget, backup: string, sink: Writable): Promise<CopyReceipt> {
    return this.copy(target, `${AGENT_PATHS.cloneCopy}?backup=${encodeURIComponent(backup)}`, 'clone copy', sink);
  }

  /** A closed binlog file of the target's server (MySQL), checked like a physical copy. */
  async binlogFile(target: AgentTarget, name: string, sink: Writable): Promise<CopyReceipt> {
    return this.copy(target, `${AGENT_PATHS.binlogs}/${encodeURIComponent(name)}`, `binlog ${name}`, sink);
  }

  /** Places an archived binlog file (`body`, whose SHA-256 the archive recorded) as relay log file `seq` of the point-in-time channel. */
  async placeRelayLog(target: AgentTarget, seq: number, sha256: string, body: Readable): Promise<{ name: string; bytes: number }> {
    const res = await this.request(target, 'PUT', `${AGENT_PATHS.relayLogs}/${seq}`, body, this.copyIdleMs, { [RELAY_LOG_SHA256]: sha256 });
    if (res.statusCode !== 200) throw new AgentError(`placing relay log ${seq} at ${where(target)}: ${await errorOf(res)}`, res.statusCode);
    return JSON.parse(await readAll(res)) as { name: string; bytes: number };
  }

  /** Removes the point-in-time channel's relay log files. */
  async removeRelayLogs(target: AgentTarget): Promise<void> {
    await this.json(target, 'DELETE', AGENT_PATHS.relayLogs);
  }

  private async copy(target: AgentTarget, path: string, what: string, sink: Writable, signal?: AbortSignal): Promise<CopyReceipt> {
    const res = await this.request(target, 'GET', path, undefined, this.copyIdleMs, {}, signal);
    if (res.statusCode !== 200) throw new AgentError(`${what} from ${where(target)}: ${await errorOf(res)}`, res.statusCode);
    const count = measuring();
    // Aborted, every stream is destroyed: the connection closes and the donor stops its backup.
    await pipeline(res, count.stream, sink, ...(signal ? [{ signal }] : []));
    const trailers = res.trailers;
    const { sha256, size: bytes } = count.digest();
    if (trailers[COPY_TRAILERS.result] !== 'ok') {
      throw new AgentError(`${what} from ${where(target)} failed at the donor: ${trailers[COPY_TRAILERS.result] ?? 'the stream ended without its trailers'}`);
    }
    if (trailers[COPY_TRAILERS.bytes] !== String(bytes) || trailers[COPY_TRAILERS.sha256] !== sha256) {
      throw new AgentError(`${what} from ${where(target)} is damaged: received ${bytes} bytes with SHA-256 ${sha256}, `
        + `the donor sent ${trailers[COPY_TRAILERS.bytes]} bytes with SHA-256 ${trailers[COPY_TRAILERS.sha256]}`);
    }
    return { bytes, sha256 };
  }

  private async json(target: AgentTarget, method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await this.request(target, method, path, body, this.timeoutMs);
    if (res.statusCode === undefined || res.statusCode >= 300) {
      throw new AgentError(`${method} ${path} at ${where(target)}: ${await errorOf(res)}`, res.statusCode);
    }
    const text = await readAll(res);
    return text ? JSON.parse(text) as unknown : undefined;
  }

  /** `body`: JSON, or a stream sent as it is. */
  private request(target: AgentTarget, method: string, path: string, body: unknown, idleMs: number,
    extraHeaders: Record<string, string> = {}, signal?: AbortSignal): Promise<IncomingMessage> {
    const streamed = body instanceof Stream ? body as Readable : undefined;
    const payload = body === undefined || streamed ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = http.request({
        host: target.host, port: target.port, method, path, signal,
        headers: {
          authorization: `Bearer ${this.opts.token}`,
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
          ...(streamed ? { 'content-type': 'application/octet-stream' } : {}),
          ...extraHeaders,
        },
      }, resolve);
      req.setTimeout(idleMs, () => req.destroy(new AgentError(`${method} ${path} at ${where(target)}: no answer within ${idleMs} ms`)));
      req.once('error', (err) => reject(err instanceof AgentError ? err : new AgentError(`${method} ${path} at ${where(target)}: ${err.message}`)));
      if (!streamed) {
        req.end(payload);
        return;
      }
      streamed.once('error', (err) => req.destroy(new AgentError(`${method} ${path} at ${where(target)}: reading the upload: ${err.message}`)));
      streamed.pipe(req);
    });
  }
}

function where(t: AgentTarget): string {
  return `the agent ${t.host}:${t.port}`;
}
