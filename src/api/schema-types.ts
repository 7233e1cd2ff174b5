/**
 * The subset of OpenAPI v3 that a structural CRD schema uses, plus two things that never reach
 * the CRD: a plain-words meaning for each pattern (for error messages) and, for each CEL rule,
 * its TypeScript twin, so the operator can enforce every rule without a CEL runtime.
 */

export type SchemaType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';

export interface CelRule {
  /** The CEL expression, as the API server evaluates it. */
  rule: string;
  message: string;
  /** Where the error points, relative to the node carrying the rule (`.field`). */
  fieldPath?: string;
  /**
   * The same rule in TypeScript, given the defaulted, well-typed value at the node (and the
   * stored value on update). True when the value passes.
   */
  holds(self: unknown, oldSelf?: unknown): boolean;
}

export interface SchemaNode {
  type?: SchemaType;
  description?: string;
  format?: 'int32' | 'int64' | 'date-time';
  properties?: Record<string, SchemaNode>;
  required?: string[];
  additionalProperties?: SchemaNode;
  items?: SchemaNode;
  enum?: readonly string[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  maxProperties?: number;
  'x-kubernetes-preserve-unknown-fields'?: true;
  'x-kubernetes-list-type'?: 'atomic' | 'map' | 'set';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-validations'?: CelRule[];
  /** What `pattern` means, in words a user understands. Not part of the CRD. */
  patternMeans?: string;
  /**
   * The API server keeps fields of this object that the schema does not list (ObjectMeta).
   * Not part of the CRD.
   */
  keepsUnknownFields?: true;
}

/** A transition rule compares with the stored object, so it runs on updates only. */
export function isTransitionRule(rule: CelRule): boolean {
  return /\boldSelf\b/.test(rule.rule);
}
