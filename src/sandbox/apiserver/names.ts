/** kube's checks on object names and labels: RFC 1123 names, qualified label keys, label values. */
import type { FieldError } from './errors.js';
import type { KubeObject } from './types.js';

const label = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_LABEL = new RegExp(`^${label}$`);
const DNS1123_SUBDOMAIN = new RegExp(`^${label}(\\.${label})*$`);
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Kinds whose names must be a single DNS label (they become DNS names or hostnames). */
const LABEL_NAMED = new Set(['/Namespace', '/Service']);

function nameErrors(kind: string, group: string, name: string): string | undefined {
  if (LABEL_NAMED.has(`${group}/${kind}`)) {
    if (name.length > 63 || !DNS1123_LABEL.test(name)) {
      return "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
    }
    return undefined;
  }
  if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
    return "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
  }
  return undefined;
}

function keyError(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : '';
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (slash >= 0 && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) return 'prefix part must be a lowercase RFC 1123 subdomain';
  if (!name || name.length > 63 || !QUALIFIED_NAME.test(name)) {
    return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
  }
  return undefined;
}

export function validateMetadata(obj: KubeObject, kind: string, group: string): FieldError[] {
  const errors: FieldError[] = [];
  const m = obj.metadata;
  const bad = m.name ? nameErrors(kind, group, m.name) : undefined;
  if (bad) errors.push({ field: 'metadata.name', reason: 'FieldValueInvalid', detail: `Invalid value: ${JSON.stringify(m.name)}: ${bad}` });
  for (const [key, value] of Object.entries(m.labels ?? {})) {
    const kErr = keyError(key);
    if (kErr) errors.push({ field: 'metadata.labels', reason: 'FieldValueInvalid', detail: `Invalid value: ${JSON.stringify(key)}: ${kErr}` });
    if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) {
      errors.push({
        field: 'metadata.labels',
        reason: 'FieldValueInvalid',
        detail: `Invalid value: ${JSON.stringify(value)}: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
      });
    }
  }
  for (const key of Object.keys(m.annotations ?? {})) {
    const kErr = keyError(key);
    if (kErr) errors.push({ field: 'metadata.annotations', reason: 'FieldValueInvalid', detail: `Invalid value: ${JSON.stringify(key)}: ${kErr}` });
  }
  return errors;
}
