/**
 * May this stack write an object? Only when it does not exist or this WebStack controls it: an
 * object of another stack, or of anyone else, is never overwritten. Pure predicates returning
 * the reason, for the stack's condition.
 */
import { LABEL_MANAGED_BY, LABEL_STACK, MANAGER } from '../api/labels.js';
import { KIND } from '../api/types.js';
import type { LiveObject } from './children.js';

/** Why `ws` must not apply over `live`, or undefined when it may. */
export function ownershipConflict(live: LiveObject | undefined, ownerUid: string | undefined): string | undefined {
  if (!live) return undefined;
  const controller = live.metadata.ownerReferences?.find((r) => r.controller === true);
  if (controller?.kind === KIND && controller.uid === ownerUid) return undefined;
  const what = `${live.kind} ${live.metadata.name}`;
  return controller
    ? `${what} belongs to ${controller.kind} ${controller.name} (uid ${controller.uid})`
    : `${what} exists and is not controlled by this WebStack (no controller owner)`;
}

/**
 * Why the stack must not apply over a claim it keeps without owning it (its backup volume, which
 * outlives the stack): only one labelled for this stack by the operator is taken, by any stack of that name.
 */
export function keptClaimConflict(live: LiveObject | undefined, stack: string): string | undefined {
  if (!live) return undefined;
  const labels = live.metadata.labels ?? {};
  if (labels[LABEL_STACK] === stack && labels[LABEL_MANAGED_BY] === MANAGER) return undefined;
  return `${live.kind} ${live.metadata.name} exists and was not made by ${MANAGER} for stack ${stack}`;
}

/** True when `live` exists with no controller at all: made by a user, not by another controller. */
export function isUnowned(live: LiveObject | undefined): boolean {
  return !!live && !live.metadata.ownerReferences?.some((r) => r.controller === true);
}

export interface TlsSecret {
  type?: string;
  data?: Record<string, string>;
}

const TLS_TYPE = 'kubernetes.io/tls';
const TLS_KEYS = ['tls.crt', 'tls.key'];

/** What is wrong with the TLS Secret HAProxy would mount, or undefined when it is usable. */
export function tlsSecretProblem(secret: TlsSecret | undefined, name: string): string | undefined {
  if (!secret) return `Secret ${name} not found`;
  if (secret.type !== TLS_TYPE) return `Secret ${name} has type ${secret.type ?? '(none)'}, want ${TLS_TYPE}`;
  const missing = TLS_KEYS.filter((k) => !secret.data?.[k]);
  if (missing.length > 0) return `Secret ${name} lacks ${missing.join(' and ')}`;
  return undefined;
}

/**
 * What is wrong with the database TLS Secret cert-manager writes (database.tls.issuerRef), or
 * undefined when servers, replicas and apps can use it: they need the CA in ca.crt too.
 */
export function databaseTlsSecretProblem(secret: TlsSecret | undefined, name: string): string | undefined {
  if (!secret) return `Secret ${name} not found (yet): cert-manager writes it once the issuer signs`;
  const problem = tlsSecretProblem(secret, name);
  if (problem) return problem;
  if (!secret.data?.['ca.crt']) return `Secret ${name} lacks ca.crt: the issuer must give its CA (a CA or Vault issuer does, ACME does not)`;
  return undefined;
}
