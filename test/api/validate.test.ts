import { describe, expect, it } from '@jest/globals';
import { resolveSpec } from '../../src/api/defaults.js';
import type { WebStack } from '../../src/api/types.js';
import { formatValidationErrors, parseWebStack, validateWebStack } from '../../src/api/validate.js';
import { badCases, full, goodCases, minimal } from './cases.js';

describe('validateWebStack', () => {
  it.each(goodCases.map((c) => [c.name, c] as const))('accepts %s', (_name, c) => {
    expect(validateWebStack(c.ws, { old: c.old })).toEqual([]);
  });

  it.each(badCases.map((c) => [c.name, c] as const))('refuses %s, naming the field', (_name, c) => {
    const errors = validateWebStack(c.ws, { old: c.old });
    expect(errors.map((e) => e.field)).toEqual(c.errors.map(([field]) => field));
    c.errors.forEach(([, message], i) => expect(errors[i].message).toContain(message));
  });

  it('has a table of at least 20 bad inputs', () => {
    expect(badCases.length).toBeGreaterThanOrEqual(20);
  });

  it('reports errors in the order the fields are documented, object rules after field bounds', () => {
    const errors = validateWebStack(badCases.find((c) => c.name.startsWith('several problems'))?.ws);
    expect(errors.map((e) => e.field)).toEqual(['spec.loadBalancer.algorithm', 'spec.apps[1].weight', 'spec.database.replicas', 'spec.apps']);
  });

  it('checks immutable fields only when given the stored object', () => {
    const switched = badCases.find((c) => c.name === 'engine switched');
    expect(validateWebStack(switched?.ws)).toEqual([]);
  });

  it('leaves the input untouched (defaults go into a copy)', () => {
    const ws = minimal();
    const before = JSON.stringify(ws);
    validateWebStack(ws, { old: full() });
    expect(JSON.stringify(ws)).toBe(before);
  });

  it('ignores status, which the operator writes', () => {
    const ws = { ...minimal(), status: { conditions: 'not a list', apps: 7 } };
    expect(validateWebStack(ws)).toEqual([]);
  });
});

describe('formatValidationErrors', () => {
  it('prints one "field: message" line per problem', () => {
    const text = formatValidationErrors([
      { field: 'spec.apps[1].weight', message: 'must be between 0 and 256' },
      { field: 'spec.database.engine', message: 'must be one of: mysql, mariadb' },
    ]);
    expect(text).toBe('spec.apps[1].weight: must be between 0 and 256\nspec.database.engine: must be one of: mysql, mariadb');
  });

  it('prints a message alone when it is about the whole object', () => {
    expect(formatValidationErrors(validateWebStack(42))).toBe('must be an object (a WebStack manifest)');
  });

  it('formats what validateWebStack returns', () => {
    const ws = minimal();
    ws.spec.apps.push({ name: 'api', image: 'x', weight: 300 });
    expect(formatValidationErrors(validateWebStack(ws))).toBe('spec.apps[1].weight: must be between 0 and 256');
  });
});

describe('parseWebStack', () => {
  it('returns the object as given when it is valid', () => {
    const ws = minimal();
    const result = parseWebStack(ws);
    expect(result).toEqual({ ok: true, webStack: ws });
    if (result.ok) expect(resolveSpec(result.webStack).apps[0].weight).toBe(100);
  });

  it('returns every error when it is not', () => {
    const ws = minimal();
    ws.spec.apps[0].weight = -1;
    ws.spec.database = { engine: 'oracle' };
    const result = parseWebStack(ws);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.map((e) => e.field)).toEqual(['spec.apps[0].weight', 'spec.database.engine']);
  });

  it('checks an update against the stored object', () => {
    const old = full() as WebStack;
    const next = full();
    next.spec.database.engine = 'mysql';
    const result = parseWebStack(next, { old });
    expect(result.ok ? [] : formatValidationErrors(result.errors)).toBe('spec.database.engine: engine is immutable: switching engines would lose the data');
  });
});
