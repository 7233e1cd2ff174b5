/**
 * Every CEL rule of the CRD, evaluated by a real CEL interpreter, must agree with its
 * TypeScript twin on every table case: the API server and the operator refuse the same input.
 */
import { describe, expect, it } from '@jest/globals';
import { evaluate } from '@marcbachmann/cel-js';
import { applyDefaults, checkAgainstSchema, isPlainObject, rulePath, type RuleSite } from '../../src/api/schema-check.js';
import { webStackSchema } from '../../src/api/schema.js';
import type { CelRule, SchemaNode } from '../../src/api/schema-types.js';
import { badCases, goodCases } from './cases.js';

/** JSON as the API server hands it to CEL: whole numbers are CEL ints. */
function toCel(value: unknown): unknown {
  if (Number.isInteger(value)) return BigInt(value as number);
  if (Array.isArray(value)) return value.map(toCel);
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toCel(v)]));
  return value;
}

function evaluateCel(site: RuleSite): boolean {
  const context: Record<string, unknown> = { self: toCel(site.self) };
  if (site.oldSelf !== undefined) context.oldSelf = toCel(site.oldSelf);
  const result = evaluate(site.rule.rule, context);
  if (typeof result !== 'boolean') throw new Error(`rule at ${site.path || '<root>'} returned ${String(result)}: ${site.rule.rule}`);
  return result;
}

function allRules(node: SchemaNode): CelRule[] {
  return [
    ...(node['x-kubernetes-validations'] ?? []),
    ...Object.values(node.properties ?? {}).flatMap(allRules),
    ...(node.items ? allRules(node.items) : []),
    ...(node.additionalProperties ? allRules(node.additionalProperties) : []),
  ];
}

const withoutStatus = (ws: unknown) => (isPlainObject(ws) ? { ...ws, status: undefined } : ws);

function sitesOf(ws: unknown, old: unknown): RuleSite[] {
  const value = applyDefaults(webStackSchema, withoutStatus(ws));
  const stored = old === undefined ? undefined : applyDefaults(webStackSchema, withoutStatus(old));
  return checkAgainstSchema(webStackSchema, value, stored).sites;
}

// Rules need a named object with a spec; the cases without one test the plain checks.
const cases = [...goodCases, ...badCases].filter((c) => isPlainObject(c.ws) && isPlainObject(c.ws.spec) && isPlainObject(c.ws.metadata) && Boolean(c.ws.metadata.name));

describe('CEL rules and their TypeScript twins', () => {
  it.each(cases.map((c) => [c.name, c] as const))('agree on %s', (_name, c) => {
    const sites = sitesOf(c.ws, c.old);
    expect(sites.length).toBeGreaterThan(0);
    const verdicts = sites.map((site) => ({ at: rulePath(site), rule: site.rule.rule, cel: evaluateCel(site), typescript: site.rule.holds(site.self, site.oldSelf) }));
    expect(verdicts.filter((v) => v.cel !== v.typescript)).toEqual([]);
  });

  it('every rule is broken by at least one bad case, as judged by CEL itself', () => {
    const broken = new Set<string>();
    for (const c of cases) {
      for (const site of sitesOf(c.ws, c.old)) if (!evaluateCel(site)) broken.add(site.rule.rule);
    }
    const never = allRules(webStackSchema).map((r) => r.rule).filter((rule) => !broken.has(rule));
    expect(never).toEqual([]);
  });

  it('no good case breaks any rule', () => {
    for (const c of goodCases) {
      const failing = sitesOf(c.ws, c.old).filter((site) => !evaluateCel(site)).map(rulePath);
      expect({ name: c.name, failing }).toEqual({ name: c.name, failing: [] });
    }
  });

  it('give the same verdicts on objects the API server has not defaulted', () => {
    const failing = (sites: RuleSite[]) => sites.filter((site) => !evaluateCel(site)).map((site) => `${rulePath(site)}: ${site.rule.message}`);
    for (const c of cases.filter((k) => k.old === undefined)) {
      const raw = checkAgainstSchema(webStackSchema, withoutStatus(c.ws)).sites;
      expect({ name: c.name, failing: failing(raw) }).toEqual({ name: c.name, failing: failing(sitesOf(c.ws, undefined)) });
    }
  });

  it('transition rules are evaluated on updates and skipped on creates', () => {
    const storageChanged = badCases.find((c) => c.name === 'storage size changed');
    const onUpdate = sitesOf(storageChanged?.ws, storageChanged?.old).filter((s) => s.rule.rule.includes('oldSelf'));
    const onCreate = sitesOf(storageChanged?.ws, undefined).filter((s) => s.rule.rule.includes('oldSelf'));
    expect(onUpdate.map(rulePath).sort()).toEqual(['spec.database.databaseName', 'spec.database.engine', 'spec.database.restore', 'spec.database.storage.size', 'spec.database.storage.storageClassName', 'spec.database.user']);
    expect(onCreate).toEqual([]);
  });
});
