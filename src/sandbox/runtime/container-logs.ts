/**
 * Container logs as the kubelet serves them (`GET /containerLogs/{namespace}/{pod}/{container}`),
 * read from the runtime's log files. Pure: where a log lives, what a request asks for, which part
 * of the text answers it.
 */
import path from 'node:path';

/** One file per container name, appended across restarts. */
export function containerLogFile(stateDir: string, namespace: string, pod: string, container: string): string {
  return path.join(stateDir, 'logs', `${namespace}_${pod}_${container}.log`);
}

export interface LogRequest {
  namespace: string;
  pod: string;
  container: string;
  follow: boolean;
  tailLines?: number;
  limitBytes?: number;
}

export type ParsedLogRequest = LogRequest | { status: number; message: string };

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

function nonNegative(q: URLSearchParams, key: string): number | undefined | Error {
  const v = q.get(key);
  if (v === null) return undefined;
  const n = Number(v);
  return Number.isInteger(n) && n >= 0 ? n : new Error(`${key} must be a non-negative integer`);
}

export function parseLogRequest(url: URL): ParsedLogRequest {
  const m = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)\/?$/.exec(url.pathname);
  if (!m) return { status: 404, message: 'not found' };
  const [namespace, pod, container] = m.slice(1).map(decodeURIComponent);
  // Names end up in a file path: only what Kubernetes allows in a name may pass.
  if (![namespace, pod, container].every((n) => NAME.test(n))) return { status: 400, message: 'invalid namespace, pod or container name' };
  const q = url.searchParams;
  if (q.get('previous') === 'true') return { status: 400, message: 'previous: the sandbox keeps one log per container across restarts, not the previous instance\'s apart' };
  if (q.get('timestamps') === 'true') return { status: 400, message: 'timestamps: the sandbox does not record a time per line' };
  if (q.has('sinceSeconds') || q.has('sinceTime')) return { status: 400, message: 'sinceSeconds/sinceTime: the sandbox does not record a time per line' };
  const tailLines = nonNegative(q, 'tailLines');
  const limitBytes = nonNegative(q, 'limitBytes');
  for (const v of [tailLines, limitBytes]) if (v instanceof Error) return { status: 400, message: v.message };
  return {
    namespace, pod, container, follow: q.get('follow') === 'true',
    ...(tailLines !== undefined ? { tailLines: tailLines as number } : {}),
    ...(limitBytes !== undefined ? { limitBytes: limitBytes as number } : {}),
  };
}

/** The last `n` lines of `text` (all of it when n is undefined). */
export function lastLines(text: string, n: number | undefined): string {
  if (n === undefined) return text;
  if (n === 0) return '';
  const lines = text.split('\n');
  const complete = text.endsWith('\n');
  if (complete) lines.pop();
  return lines.slice(-n).join('\n') + (complete && lines.length > 0 ? '\n' : '');
}
