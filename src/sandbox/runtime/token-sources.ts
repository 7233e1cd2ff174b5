/**
 * Projected service-account tokens: which a pod asks for, the TokenRequest for each (bound to the
 * pod, so the token dies with it), and when the kubelet renews one. Pure.
 */
import type { AuthenticationV1TokenRequest, V1Pod } from '@kubernetes/client-node';

const DEFAULT_EXPIRATION_SECONDS = 3600;
const MAX_REFRESH_MS = 24 * 3600 * 1000;

export interface TokenSource {
  volume: string;
  path: string;
  audience?: string;
  expirationSeconds: number;
  mode?: number;
}

/** Where a token lives among a pod's projected files: `<volume>/<path>`. */
export function tokenKey(s: { volume: string; path: string }): string {
  return `${s.volume}/${s.path}`;
}

export function tokenSources(pod: V1Pod): TokenSource[] {
  const out: TokenSource[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    const mode = v.projected?.defaultMode;
    for (const s of v.projected?.sources ?? []) {
      const t = s.serviceAccountToken;
      if (!t) continue;
      out.push({
        volume: v.name, path: t.path, expirationSeconds: t.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS,
        ...(t.audience ? { audience: t.audience } : {}), ...(mode !== undefined ? { mode } : {}),
      });
    }
  }
  return out;
}

export function tokenRequest(pod: V1Pod, s: TokenSource): AuthenticationV1TokenRequest {
  return {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec: {
      // No audience: the API server's own audiences apply.
      audiences: s.audience ? [s.audience] : [],
      expirationSeconds: s.expirationSeconds,
      boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata?.name, uid: pod.metadata?.uid },
    },
  };
}

/** The kubelet renews a token once 80% of its lifetime has passed, or after a day at the latest. */
export function refreshAfterMs(issuedAt: Date, expiresAt: Date): number {
  return Math.min(Math.max(0, (expiresAt.getTime() - issuedAt.getTime()) * 0.8), MAX_REFRESH_MS);
}
