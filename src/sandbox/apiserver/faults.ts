/** Fault injection for tests: the next N requests matching a verb and resource fail with 409 or 500. */
import { ApiError } from './errors.js';

export interface FailRule {
  verb?: string;
  resource?: string;
  code: 409 | 500;
  count?: number;
}

export class FaultInjector {
  private readonly rules: { rule: FailRule; left: number }[] = [];

  failNext(rule: FailRule): void {
    this.rules.push({ rule, left: rule.count ?? 1 });
  }

  /** The error to answer with instead of serving, if a rule matches; consumes one use of it. */
  take(verb: string, resource: string, group: string, name: string | undefined): ApiError | undefined {
    const at = this.rules.findIndex(({ rule }) =>
      (!rule.verb || rule.verb === verb) &&
      (!rule.resource || rule.resource === resource || rule.resource === `${resource}.${group}` || rule.resource === resource.split('/')[0]));
    if (at < 0) return undefined;
    const entry = this.rules[at];
    if (--entry.left <= 0) this.rules.splice(at, 1);
    const who = name ? `"${name}"` : '';
    return entry.rule.code === 409
      ? new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${resource} ${who}: the object has been modified; please apply your changes to the latest version and try again (injected fault)`, { name, group, kind: resource })
      : new ApiError(500, 'InternalError', `Internal error occurred: injected fault for ${verb} ${resource}`, { causes: [{ message: 'injected fault' }] });
  }
}
