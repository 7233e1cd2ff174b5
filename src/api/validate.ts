/**
 * Semantic validation of a WebStack: everything the CRD schema and its CEL rules say (so bad
 * input is caught even where the CRD was installed without them), plus the checks a schema
 * cannot express. Returns every problem, each with its field path.
 */
import { isIP } from 'node:net';
import {
  applyDefaults, checkAgainstSchema, isPlainObject, joinPath, ruleErrors, type ValidationError,
} from './schema-check.js';
import { webStackSchema } from './schema.js';
import { nextRun, parseCron } from '../backup/cron.js';
import { BACKUP_PATTERNS } from './backup-schema.js';
import { API_VERSION, KIND, type WebStack } from './types.js';

export type { ValidationError } from './schema-check.js';

export interface ValidateOptions {
  /** The stored object, when validating an update: immutable fields are checked against it. */
  old?: unknown;
}

export type ParseResult = { ok: true; webStack: WebStack } | { ok: false; errors: ValidationError[] };

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `key` is not a valid annotation key, or undefined when it is. */
export function annotationKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = key.slice(slash + 1);
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    return 'key prefix must be a DNS subdomain (e.g. service.beta.kubernetes.io)';
  }
  if (name.length > 63 || !QUALIFIED_NAME.test(name)) {
    return 'key must be at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit, after an optional "prefix/"';
  }
  return undefined;
}

/** Why `cidr` is not an IPv4 or IPv6 CIDR, or undefined when it is. */
export function cidrProblem(cidr: string): string | undefined {
  const [address, bits, extra] = cidr.split('/');
  // node's isIP accepts an IPv6 zone id (fe80::1%eth0), which no CIDR or cloud firewall does.
  const family = address.includes('%') ? 0 : isIP(address);
  const max = family === 4 ? 32 : 128;
  if (extra !== undefined || family === 0 || bits === undefined || !/^[0-9]{1,3}$/.test(bits) || Number(bits) > max) {
    return 'must be a CIDR such as 203.0.113.0/24 or 2001:db8::/32';
  }
  return undefined;
}

function identityErrors(ws: Record<string, unknown>): ValidationError[] {
  const errors: ValidationError[] = [];
  // Objects listed by the API server may come without apiVersion and kind; only a wrong one is refused.
  if (ws.apiVersion !== undefined && ws.apiVersion !== API_VERSION) errors.push({ field: 'apiVersion', message: `must be ${API_VERSION}` });
  if (ws.kind !== undefined && ws.kind !== KIND) errors.push({ field: 'kind', message: `must be ${KIND}` });
  if (!isPlainObject(ws.metadata)) errors.push({ field: 'metadata', message: 'is required' });
  else if (ws.metadata.name === undefined || ws.metadata.name === '') errors.push({ field: 'metadata.name', message: 'is required' });
  return errors;
}

/** Checks the schema has no words for; each reads the (defaulted) object defensively. */
function semanticErrors(ws: Record<string, unknown>): ValidationError[] {
  const errors: ValidationError[] = [];
  const spec = isPlainObject(ws.spec) ? ws.spec : {};
  const service = isPlainObject(spec.loadBalancer) && isPlainObject(spec.loadBalancer.service) ? spec.loadBalancer.service : {};
  const servicePath = 'spec.loadBalancer.service';
  if (Array.isArray(service.loadBalancerSourceRanges)) {
    service.loadBalancerSourceRanges.forEach((cidr, i) => {
      const problem = typeof cidr === 'string' ? cidrProblem(cidr) : undefined;
      if (problem) errors.push({ field: `${joinPath(servicePath, 'loadBalancerSourceRanges')}[${i}]`, message: problem });
    });
  }
  if (isPlainObject(service.annotations)) {
    for (const key of Object.keys(service.annotations)) {
      const problem = annotationKeyProblem(key);
      if (problem) errors.push({ field: `${joinPath(servicePath, 'annotations')}[${key}]`, message: problem });
    }
  }
  const backup = isPlainObject(spec.database) && isPlainObject(spec.database.backup) ? spec.database.backup : {};
  // A schedule the pattern already refuses is reported once, by the schema.
  if (typeof backup.schedule === 'string' && new RegExp(BACKUP_PATTERNS.cron.pattern).test(backup.schedule)) {
    try {
      nextRun(parseCron(backup.schedule), Date.now());
    } catch (err) {
      errors.push({ field: 'spec.database.backup.schedule', message: (err as Error).message });
    }
  }
  return errors;
}

function withoutStatus(value: unknown): unknown {
  if (!isPlainObject(value)) return value;
  const { status: _status, ...rest } = value;
  return rest;
}

/**
 * Every problem of a WebStack, each with its field path. Defaults are applied first, as the API
 * server does, so a field left out never fails. Status is the operator's and is not checked.
 */
export function validateWebStack(input: unknown, options: ValidateOptions = {}): ValidationError[] {
  if (!isPlainObject(input)) return [{ field: '', message: 'must be an object (a WebStack manifest)' }];
  const ws = applyDefaults(webStackSchema, withoutStatus(input)) as Record<string, unknown>;
  const old = isPlainObject(options.old) ? applyDefaults(webStackSchema, withoutStatus(options.old)) : undefined;
  const { errors, sites } = checkAgainstSchema(webStackSchema, ws, old);
  const identity = identityErrors(ws);
  // The object-level rules read metadata.name: without one they would only add noise.
  const nameless = identity.some((e) => e.field.startsWith('metadata'));
  const applicable = nameless ? sites.filter((site) => site.path !== '') : sites;
  return [...identity, ...errors, ...ruleErrors(applicable), ...semanticErrors(ws)];
}

/** One line per problem: `spec.apps[1].weight: must be between 0 and 256`. */
export function formatValidationErrors(errors: readonly ValidationError[]): string {
  return errors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)).join('\n');
}

/** The object typed as a WebStack when it is valid (as given, without defaults), else its problems. */
export function parseWebStack(input: unknown, options: ValidateOptions = {}): ParseResult {
  const errors = validateWebStack(input, options);
  return errors.length === 0 ? { ok: true, webStack: input as WebStack } : { ok: false, errors };
}
