/**
 * Tier weights set in the running HAProxy pods through their admin frontend (render/haproxy-weights.ts):
 * a weight change takes effect in seconds, and no pod is replaced or restarted. The pods come from the
 * operator's pod cache, whose events wake the stack; each pod is sent the weights of the spec when it
 * has not taken them yet (weights-sent.ts); a pod already at them changes nothing.
 */
import http from 'node:http';
import { componentSelector } from '../api/labels.js';
import { HAPROXY_ADMIN_PORT, HAPROXY_WEIGHTS_PATH } from '../render/haproxy-weights.js';

const REQUEST_TIMEOUT_MS = 2000;

export interface HaproxyPod {
  metadata: { name?: string; uid?: string; labels?: Record<string, string>; deletionTimestamp?: string };
  status?: { podIP?: string; conditions?: { type: string; status: string }[]; containerStatuses?: { restartCount?: number }[] };
}

/** The cached pods labelled as a stack's (src/controller/database/pod-watch.ts). */
export interface StackPods {
  stackPods(namespace: string, stack: string): readonly HaproxyPod[];
}

export interface WeightsOutcome {
  pod: string;
  /** `server old->new`, one per server whose weight changed. */
  changed: string[];
  /** Why the pod could not be reached or refused; never holds the token. */
  error?: string;
  /** A Ready pod serves traffic: a failure there must be retried. */
  ready: boolean;
}

/** The stack's HAProxy pods that run and have an address; terminating ones are left to finish. */
export function haproxyPods(pods: StackPods, namespace: string, stack: string): HaproxyPod[] {
  const selector = Object.entries(componentSelector(stack, 'loadbalancer'));
  return pods.stackPods(namespace, stack)
    .filter((p) => selector.every(([k, v]) => p.metadata.labels?.[k] === v) && p.status?.podIP && !p.metadata.deletionTimestamp);
}

function postWeights(ip: string, port: number, body: string, token: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: ip, port, path: HAPROXY_WEIGHTS_PATH, method: 'POST', timeout: REQUEST_TIMEOUT_MS, agent: false,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { text += d; });
      res.on('end', () => (res.statusCode === 200
        ? resolve(text.split('\n').filter(Boolean))
        // 409: the Lua names each server haproxy refused; other errors are haproxy's own pages.
        : reject(new Error(`admin frontend answered HTTP ${res.statusCode}${res.statusCode === 409 ? `: ${text.replace(/\n/g, '; ')}` : ''}`))));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Sends `body` (weightsRequestBody) to every pod at once, on the admin port (another one in tests). */
export function setWeights(pods: HaproxyPod[], body: string, token: string, port = HAPROXY_ADMIN_PORT): Promise<WeightsOutcome[]> {
  return Promise.all(pods.map(async (p) => {
    const pod = p.metadata.name ?? '';
    const ready = p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    try {
      return { pod, ready, changed: await postWeights(p.status!.podIP!, port, body, token) };
    } catch (err) {
      return { pod, ready, changed: [], error: err instanceof Error ? err.message : String(err) };
    }
  }));
}
