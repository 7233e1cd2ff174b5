/** Asks the API server for a pod's projected service-account tokens (TokenRequest), as the kubelet does. */
import type { CoreV1Api, V1Pod } from '@kubernetes/client-node';
import { httpStatus } from './cluster.js';
import { refreshAfterMs, tokenKey, tokenRequest, tokenSources } from './token-sources.js';

export interface IssuedTokens {
  /** Token by `<volume>/<path>`. */
  tokens: Record<string, string>;
  /** When the first of them is due for renewal; undefined when the pod asks for none. */
  refreshInMs?: number;
}

export async function issueTokens(core: CoreV1Api, pod: V1Pod): Promise<IssuedTokens> {
  const out: IssuedTokens = { tokens: {} };
  const namespace = pod.metadata?.namespace ?? 'default';
  const serviceAccount = pod.spec?.serviceAccountName ?? 'default';
  for (const source of tokenSources(pod)) {
    const issuedAt = new Date();
    const res = await core.createNamespacedServiceAccountToken({ name: serviceAccount, namespace, body: tokenRequest(pod, source) }).catch((err: unknown) => {
      // The pod's status and an Event show this message: the API's status line, not the whole response.
      throw new Error(`TokenRequest for service account ${namespace}/${serviceAccount} failed: HTTP ${httpStatus(err) ?? String(err).split('\n')[0]}`);
    });
    const token = res.status?.token;
    if (!token) throw new Error(`no token issued for service account ${namespace}/${serviceAccount}`);
    out.tokens[tokenKey(source)] = token;
    const expires = res.status?.expirationTimestamp ? new Date(res.status.expirationTimestamp) : new Date(issuedAt.getTime() + source.expirationSeconds * 1000);
    const due = refreshAfterMs(issuedAt, expires);
    out.refreshInMs = Math.min(out.refreshInMs ?? due, due);
  }
  return out;
}
