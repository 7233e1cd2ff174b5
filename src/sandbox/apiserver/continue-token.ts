/** List continue tokens: where the next page starts and at which resourceVersion the list began. */
import { badRequest } from './errors.js';

export interface ContinueToken {
  rv: number;
  /** `namespace/name` of the last item served. */
  after: string;
}

export function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

export function decodeContinue(text: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(text, 'base64url').toString()) as ContinueToken;
    if (typeof t.rv === 'number' && typeof t.after === 'string') return t;
  } catch {
    // reported below
  }
  throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}
