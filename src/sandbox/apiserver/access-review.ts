/**
 * SelfSubjectAccessReview and SelfSubjectRulesReview (`kubectl auth can-i`, helm's and Argo CD's
 * permission checks). The in-memory server has no users and authorizes everything, so every
 * review answers allowed, and the rules are everything. Pure: a review in, the answered review out.
 */
import { badRequest } from './errors.js';
import { isObject, type KubeObject } from './types.js';

const ALLOWED_BY = 'the in-memory API server authorizes every request';

export function answerReview(kind: string, body: unknown): KubeObject {
  if (!isObject(body) || !isObject(body.spec)) throw badRequest(`${kind} needs a spec`);
  const review = { ...body, apiVersion: 'authorization.k8s.io/v1', kind, metadata: isObject(body.metadata) ? body.metadata : {} } as KubeObject;
  if (kind === 'SelfSubjectAccessReview') review.status = { allowed: true, reason: ALLOWED_BY };
  else {
    review.status = {
      resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
      nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
      incomplete: false,
    };
  }
  return review;
}
