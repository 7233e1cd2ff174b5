/** Compares two servers' normalised answers, one difference per differing JSON path. Pure. */

export interface Difference {
  operation: string;
  /** Where in the normalised answer, e.g. `object.spec.strategy`. */
  path: string;
  inMemory: unknown;
  real: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function differences(operation: string, inMemory: unknown, real: unknown, path = ''): Difference[] {
  if (isObject(inMemory) && isObject(real)) {
    const keys = [...new Set([...Object.keys(inMemory), ...Object.keys(real)])].sort();
    return keys.flatMap((k) => differences(operation, inMemory[k], real[k], path ? `${path}.${k}` : k));
  }
  if (Array.isArray(inMemory) && Array.isArray(real) && inMemory.length === real.length) {
    return inMemory.flatMap((v, i) => differences(operation, v, real[i], `${path}[${i}]`));
  }
  if (JSON.stringify(inMemory) === JSON.stringify(real)) return [];
  return [{ operation, path: path || '(answer)', inMemory, real }];
}

export const keyOf = (d: Pick<Difference, 'operation' | 'path'>): string => `${d.operation} :: ${d.path}`;
