/**
 * The schema of `status.conditions` (metav1.Condition, a map list keyed by type), shared by every
 * kind of the API. A real API server refuses a map list whose key is not a declared item property.
 */
import type { SchemaNode } from './schema-types.js';

const condition: SchemaNode = {
  type: 'object',
  properties: {
    type: { type: 'string', maxLength: 316, pattern: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$' },
    status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
    reason: { type: 'string', maxLength: 1024, minLength: 1, pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$' },
    message: { type: 'string', maxLength: 32768 },
    lastTransitionTime: { type: 'string', format: 'date-time' },
    observedGeneration: { type: 'integer', format: 'int64', minimum: 0 },
  },
  required: ['type', 'status', 'reason', 'message', 'lastTransitionTime'],
};

export const conditionsSchema = (description: string): SchemaNode => ({
  type: 'array',
  description,
  items: condition,
  'x-kubernetes-list-type': 'map',
  'x-kubernetes-list-map-keys': ['type'],
});
