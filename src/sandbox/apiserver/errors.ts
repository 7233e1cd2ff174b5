/** API errors as kube-apiserver reports them: an HTTP code and a metav1.Status body. */

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }

  status(): Record<string, unknown> {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

/** `deployments.apps "web"`: how kube names a resource in messages. */
export function qualified(plural: string, group: string, name: string): string {
  return `${group ? `${plural}.${group}` : plural} "${name}"`;
}

export const notFound = (plural: string, group: string, name: string): ApiError =>
  new ApiError(404, 'NotFound', `${qualified(plural, group, name)} not found`, { name, group, kind: plural });

export const alreadyExists = (plural: string, group: string, name: string): ApiError =>
  new ApiError(409, 'AlreadyExists', `${qualified(plural, group, name)} already exists`, { name, group, kind: plural });

export const conflict = (plural: string, group: string, name: string, why: string): ApiError =>
  new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(plural, group, name)}: ${why}`, {
    name,
    group,
    kind: plural,
  });

export const badRequest = (message: string): ApiError => new ApiError(400, 'BadRequest', message);

export const gone = (message: string): ApiError => new ApiError(410, 'Expired', message);

export interface FieldError {
  field: string;
  /** kube's cause reasons: FieldValueInvalid, FieldValueRequired, FieldValueNotSupported, FieldValueForbidden, ... */
  reason: string;
  /** The part after the field: `Invalid value: -1: must be greater than or equal to 0`. */
  detail: string;
}

/** 422 Invalid, worded like kube: `Kind.group "name" is invalid: field: detail`. */
export function invalid(kind: string, group: string, name: string, errors: FieldError[]): ApiError {
  const who = `${group ? `${kind}.${group}` : kind} "${name}"`;
  const parts = errors.map((e) => `${e.field}: ${e.detail}`);
  const message = `${who} is invalid: ${parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`}`;
  return new ApiError(422, 'Invalid', message, {
    name,
    group,
    kind,
    causes: errors.map((e) => ({ reason: e.reason, message: e.detail, field: e.field })),
  });
}
