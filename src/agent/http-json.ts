/**
 * JSON over HTTP for the operator's own small servers (the agent in each database pod, a stack's
 * backup store) and their clients: errors answer {error} with a status, bodies are bounded.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A refusal with the status it answers. */
export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body ?? {});
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** A JSON request body of at most `maxBytes`. */
export async function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new HttpError(413, `request body larger than ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new HttpError(400, 'the request body is not JSON');
  }
}

export async function readAll(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** What a server said when it refused: `HTTP <status>: <its error>`. */
export async function errorOf(res: IncomingMessage): Promise<string> {
  const text = await readAll(res);
  try {
    return `HTTP ${res.statusCode}: ${(JSON.parse(text) as { error?: string }).error ?? text}`;
  } catch {
    return `HTTP ${res.statusCode}: ${text.slice(0, 200)}`;
  }
}
