/** One GET over HTTP or HTTPS with a 5 s timeout, for tests that ask a load balancer what it serves. */
import { request } from 'node:https';

export interface Answer {
  status: number;
  body: string;
}

/** HTTPS checks the certificate against `ca` (for the name `localhost`), or not at all without one. */
export function httpGet(url: string, ca?: string): Promise<Answer> {
  if (!url.startsWith('https:')) {
    return fetch(url, { signal: AbortSignal.timeout(5000), redirect: 'manual' }).then(async (r) => ({ status: r.status, body: await r.text() }));
  }
  return new Promise((resolve, reject) => {
    const req = request(url, ca ? { ca, servername: 'localhost', timeout: 5000 } : { rejectUnauthorized: false, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => { body += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}
