/**
 * An operation of the conformance table: what to do against one server in a fresh namespace,
 * and how to reduce its answer to what must agree. `{ns}` in arguments, bodies and paths is that
 * namespace; in answers the namespace reads `NS`.
 */
import { firstLine, parsed, stableAllocations, stableObject, stableText } from './normalise.js';
import type { HttpCall, Outcome, Target } from './targets.js';

export interface Scope {
  target: Target;
  ns: string;
  /** A folder with files the operation may use (the hook chart). */
  files: string;
}

export interface Operation {
  name: string;
  run(scope: Scope): Promise<unknown>;
}

export interface Step {
  kubectl?: string[];
  helm?: string[];
  http?: HttpCall;
  stdin?: string;
  /** Retry for up to this many ms while it fails: for what a server does asynchronously (publishing a CRD's OpenAPI). */
  retryMs?: number;
}

const fill = (s: string, ns: string): string => s.replaceAll('{ns}', ns);

export async function perform(step: Step, scope: Scope): Promise<Outcome> {
  const deadline = Date.now() + (step.retryMs ?? 0);
  for (;;) {
    const out = await performOnce(step, scope);
    if (out.code === 0 || Date.now() >= deadline) return out;
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function performOnce(step: Step, scope: Scope): Promise<Outcome> {
  const { target, ns } = scope;
  const args = (a: string[]): string[] => a.map((x) => fill(x, ns));
  let out: Outcome;
  if (step.kubectl) out = await target.kubectl(args(step.kubectl), step.stdin === undefined ? undefined : fill(step.stdin, ns));
  else if (step.helm) out = await target.helm(args(step.helm));
  else {
    const call = step.http!;
    const body = call.body === undefined ? undefined : (JSON.parse(fill(JSON.stringify(call.body), ns)) as unknown);
    out = await target.http({ ...call, path: fill(call.path, ns), body });
  }
  return { code: out.code, stdout: out.stdout.replaceAll(ns, 'NS'), stderr: out.stderr.replaceAll(ns, 'NS') };
}

export type Normaliser = (o: Outcome) => unknown;

/** Addresses and node ports in tables are each server's own allocations. */
const stableAddresses = (text: string): string => text.replace(/\b10\.96\.\d+\.\d+\b/g, '<cluster-ip>').replace(/:3\d{4}\//g, ':<node-port>/');

/** Exit code, table text without ages and allocations, and the first line of any error. */
export const textAnswer: Normaliser = (o) => ({ code: o.code, out: stableAddresses(stableText(o.stdout)), err: firstLine(o.stderr) });

/** Exit code or status, and the returned object(s) with made-up identity and allocations replaced. */
export const objectAnswer: Normaliser = (o) => {
  const body = stableObject(parsed(o.stdout));
  return { code: o.code, object: Array.isArray(body) ? body.map(stableAllocations) : stableAllocations(body), err: firstLine(o.stderr) };
};

/** For failures: the status code and metav1.Status fields a client branches on. */
export const statusAnswer: Normaliser = (o) => {
  const s = parsed(o.stdout) as { kind?: string; status?: string; reason?: string; code?: number; details?: { kind?: string; name?: string; causes?: unknown[] } };
  return { code: o.code, kind: s.kind, status: s.status, reason: s.reason, statusCode: s.code, details: s.details && { kind: s.details.kind, name: s.details.name, causes: s.details.causes } };
};

export function op(name: string, step: Step, normalise: Normaliser, setup: Step[] = []): Operation {
  return {
    name,
    run: async (scope) => {
      const setupCodes: number[] = [];
      for (const s of setup) setupCodes.push((await perform(s, scope)).code);
      const answer = normalise(await perform(step, scope));
      return setup.length ? { setupCodes, answer } : answer;
    },
  };
}

export const kubectl = (args: string[], stdin?: string): Step => ({ kubectl: ['-n', '{ns}', ...args], stdin });
export const apply = (manifest: string): Step => kubectl(['apply', '-f', '-'], manifest);
export const http = (method: string, path: string, body?: unknown, extra: Partial<HttpCall> = {}): Step => ({ http: { method, path, body, ...extra } });
