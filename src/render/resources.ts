/**
 * Quantities as the API server stores them ("0.5" -> "500m", "1024Mi" -> "1Gi"): rendered in that
 * form, a child read back compares equal to what the operator would apply, so a stack at rest
 * makes no writes however its quantities are spelled.
 */
import { canonicalQuantity } from '../api/quantity.js';
import type { ResourceRequirements } from '../api/types.js';

function canonicalMap(map: Record<string, string> | undefined): Record<string, string> | undefined {
  return map && Object.fromEntries(Object.entries(map).map(([k, v]) => [k, canonicalQuantity(String(v))]));
}

export function canonicalResources(r: ResourceRequirements): ResourceRequirements {
  return {
    ...(r.requests ? { requests: canonicalMap(r.requests) } : {}),
    ...(r.limits ? { limits: canonicalMap(r.limits) } : {}),
  };
}

