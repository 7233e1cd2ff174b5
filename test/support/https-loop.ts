/**
 * Clients looping over HTTPS, a new connection per request (as many clients do): each answer's
 * certificate (SHA-256 fingerprint as openssl prints it) and time, each failure. With `ca` the
 * certificate is verified for `servername`, so an answer is also proof the chain was valid.
 */
import https from 'node:https';
import type { TLSSocket } from 'node:tls';

export interface HttpsLoop {
  answers: { at: number; fingerprint: string }[];
  failures: string[];
  stop(): Promise<void>;
}

export function httpsLoop(host: string, port: number, opts: { concurrency?: number; ca?: string; servername?: string } = {}): HttpsLoop {
  const answers: { at: number; fingerprint: string }[] = [];
  const failures: string[] = [];
  let running = true;
  const tls = opts.ca ? { ca: opts.ca, servername: opts.servername } : { rejectUnauthorized: false };
  const one = () => new Promise<void>((resolve) => {
    const req = https.get({ host, port, path: '/', agent: false, timeout: 10_000, ...tls }, (res) => {
      const fingerprint = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
      res.resume();
      res.on('end', () => {
        if (res.statusCode === 200) answers.push({ at: Date.now(), fingerprint });
        else failures.push(`HTTP ${res.statusCode}`);
        resolve();
      });
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 10 s')));
    req.on('error', (err) => { failures.push(err.message); resolve(); });
  });
  const workers = Array.from({ length: opts.concurrency ?? 2 }, async () => { while (running) await one(); });
  return { answers, failures, stop: async () => { running = false; await Promise.all(workers); } };
}
