/**
 * A server the conformance suite talks to: its kubeconfig on disk (for kubectl and helm) and raw
 * HTTP requests with the kubeconfig's credentials (plain http for the in-memory server, client
 * certificates over TLS for the real one).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import path from 'node:path';
import { parse } from 'yaml';
import { helmPath, kubectlPath } from '../../src/sandbox/cli-tools.js';

export interface Outcome {
  /** The process exit code, or the HTTP status. */
  code: number;
  stdout: string;
  stderr: string;
}

export interface HttpCall {
  method: string;
  path: string;
  body?: unknown;
  contentType?: string;
  accept?: string;
}

export interface Target {
  name: string;
  kubectl(args: string[], stdin?: string): Promise<Outcome>;
  helm(args: string[]): Promise<Outcome>;
  http(call: HttpCall): Promise<Outcome>;
  /** Opens a watch, runs `during` once it is open, and returns the event lines received until `done` says so or the time is up. */
  watch(path: string, during: () => Promise<void>, done: (events: unknown[]) => boolean, timeoutMs: number): Promise<unknown[]>;
}

interface Credentials { server: string; ca?: string; cert?: string; key?: string }

function credentials(kubeconfig: string): Credentials {
  const kc = parse(kubeconfig) as {
    clusters: { cluster: { server: string; 'certificate-authority-data'?: string } }[];
    users: { user: { 'client-certificate-data'?: string; 'client-key-data'?: string } }[];
  };
  const b64 = (s: string | undefined): string | undefined => (s ? Buffer.from(s, 'base64').toString('utf8') : undefined);
  const { cluster } = kc.clusters[0];
  const { user } = kc.users[0];
  return { server: cluster.server, ca: b64(cluster['certificate-authority-data']), cert: b64(user['client-certificate-data']), key: b64(user['client-key-data']) };
}

function run(binary: string, args: string[], home: string, stdin?: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = execFile(binary, args, { timeout: 90000, env: { ...process.env, HOME: home, KUBECONFIG: path.join(home, 'kubeconfig') } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    child.stdin!.end(stdin ?? '');
  });
}

function open(creds: Credentials, call: HttpCall): { send: (onResponse: (res: IncomingMessage) => void) => () => void } {
  const url = new URL(call.path, creds.server);
  const body = call.body === undefined ? undefined : typeof call.body === 'string' ? call.body : JSON.stringify(call.body);
  const headers: Record<string, string> = { Accept: call.accept ?? 'application/json' };
  if (body !== undefined) headers['Content-Type'] = call.contentType ?? 'application/json';
  return {
    send: (onResponse) => {
      const options = { method: call.method, headers, ca: creds.ca, cert: creds.cert, key: creds.key };
      const req = url.protocol === 'https:' ? httpsRequest(url, options, onResponse) : httpRequest(url, options, onResponse);
      req.on('error', () => undefined);
      req.end(body);
      return () => req.destroy();
    },
  };
}

export function makeTarget(name: string, kubeconfig: string, dir: string): Target {
  const home = path.join(dir, name);
  mkdirSync(home, { recursive: true });
  writeFileSync(path.join(home, 'kubeconfig'), kubeconfig, { mode: 0o600 });
  const creds = credentials(kubeconfig);
  return {
    name,
    kubectl: (args, stdin) => run(kubectlPath(), ['--cache-dir', path.join(home, 'cache'), ...args], home, stdin),
    helm: (args) => run(helmPath(), args, home),
    http: (call) =>
      new Promise((resolve, reject) => {
        open(creds, call).send((res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => { text += c; });
          res.on('end', () => resolve({ code: res.statusCode ?? 0, stdout: text, stderr: '' }));
          res.on('error', reject);
        });
      }),
    watch: (watchPath, during, done, timeoutMs) =>
      new Promise((resolve) => {
        const events: unknown[] = [];
        let buffered = '';
        let finished = false;
        let cancel = (): void => undefined;
        const finish = (): void => {
          if (finished) return;
          finished = true;
          clearTimeout(timer);
          cancel();
          resolve(events);
        };
        const timer = setTimeout(finish, timeoutMs);
        cancel = open(creds, { method: 'GET', path: watchPath }).send((res) => {
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            buffered += c;
            const lines = buffered.split('\n');
            buffered = lines.pop()!;
            for (const line of lines) if (line.trim()) events.push(JSON.parse(line));
            if (done(events)) finish();
          });
          res.on('end', finish);
          void during();
        });
      }),
  };
}
