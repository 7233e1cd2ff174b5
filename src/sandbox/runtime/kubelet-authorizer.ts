/**
 * Who may use the kubelet's endpoint: as a real kubelet in webhook mode, the client certificate
 * names the user (CN) and groups (O), and the API server decides through a SubjectAccessReview
 * for `get nodes/proxy` on this node (the kubelet's attribute for containerLogs). Allowed
 * decisions are remembered for a while, as the kubelet's authorizer cache does.
 */
import { AuthorizationV1Api, type KubeConfig } from '@kubernetes/client-node';

const ALLOWED_TTL_MS = 5 * 60_000;

export interface ClientIdentity {
  user: string;
  groups: string[];
}

/** User and groups from a peer certificate's subject, as the API server reads a client certificate. */
export function identityOf(subject: { CN?: string | string[]; O?: string | string[] } | undefined): ClientIdentity | undefined {
  const cn = Array.isArray(subject?.CN) ? subject.CN[0] : subject?.CN;
  if (!cn) return undefined;
  const o = subject?.O;
  return { user: cn, groups: o === undefined ? [] : Array.isArray(o) ? o : [o] };
}

export type Authorize = (who: ClientIdentity) => Promise<{ allowed: boolean; reason?: string }>;

export function subjectAccessReviewer(kc: KubeConfig, nodeName: string, now: () => number = Date.now): Authorize {
  const api = kc.makeApiClient(AuthorizationV1Api);
  const allowedUntil = new Map<string, number>();
  return async (who) => {
    const key = JSON.stringify(who);
    if ((allowedUntil.get(key) ?? 0) > now()) return { allowed: true };
    const review = await api.createSubjectAccessReview({
      body: {
        apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview',
        spec: { user: who.user, groups: who.groups, resourceAttributes: { verb: 'get', resource: 'nodes', subresource: 'proxy', name: nodeName } },
      },
    });
    const allowed = review.status?.allowed ?? false;
    if (allowed) allowedUntil.set(key, now() + ALLOWED_TTL_MS);
    return { allowed, ...(review.status?.reason ? { reason: review.status.reason } : {}) };
  };
}
