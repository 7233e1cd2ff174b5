/**
 * The stack's objects of other projects' CRDs (Gateway API route, cert-manager Certificate):
 * applied when the spec asks for them and the API server serves their kind, deleted when the spec
 * no longer asks. A kind the cluster lacks is reported (a condition reason naming what to install)
 * and nothing else of the stack waits for it. They are not cached (a watch of a kind that may not
 * exist would fail); each reconcile lists them by the stack label, for served kinds only.
 */
import { LABEL_STACK, MANAGER } from '../api/labels.js';
import type { WebStack } from '../api/types.js';
import type { Logger } from '../log.js';
import type { KubeObject } from '../render/object.js';
import { ApiError, type KubeClient, type KubeObj } from '../kube/client.js';
import type { ServedKinds } from '../kube/discovery.js';
import type { EventRecorder } from '../kube/events.js';
import { withAppliedHash } from './applied-hash.js';
import { childrenToDelete, type LiveObject } from './children.js';
import { applyReason } from './diff.js';
import { ownershipConflict } from './ownership.js';
import { OPTIONAL, type OptionalKind } from './resources.js';

export interface OptionalDeps {
  client: KubeClient;
  servedKinds: ServedKinds;
  events: EventRecorder;
}

/** A kind the spec asks for that the API server does not serve. */
export interface MissingApi {
  reason: OptionalKind['missingReason'];
  message: string;
}

export interface OptionalOutcome {
  missing: MissingApi[];
  /** Objects of ours by name that someone else controls: never overwritten. */
  conflicts: string[];
}

/** One per field asking for the kind (a Certificate for HAProxy and one for the database are two). */
function missingApis(kind: OptionalKind, wants: readonly KubeObject[]): MissingApi[] {
  const { type } = kind;
  return [...new Set(wants.map(kind.field))].map((field) => ({
    reason: kind.missingReason,
    message: `${field}: the API server does not serve ${type.kind} (${type.apiVersion}); install ${kind.install}`,
  }));
}

export async function convergeOptionalChildren(ws: WebStack, desired: readonly KubeObject[], deps: OptionalDeps,
  log: Logger): Promise<OptionalOutcome> {
  const outcome: OptionalOutcome = { missing: [], conflicts: [] };
  for (const kind of OPTIONAL) {
    const wants = desired.filter((o) => o.kind === kind.type.kind && o.apiVersion === kind.type.apiVersion);
    if (!await deps.servedKinds.served(kind.type)) {
      outcome.missing.push(...missingApis(kind, wants));
      continue;
    }
    try {
      await convergeKind(ws, kind, wants, deps, log, outcome);
    } catch (err) {
      // 404 for a kind discovery called served: its CRD went away since. Asked again next time.
      if (!(err instanceof ApiError && err.code === 404)) throw err;
      deps.servedKinds.forget(kind.type.apiVersion);
      outcome.missing.push(...missingApis(kind, wants));
    }
  }
  return outcome;
}

async function convergeKind(ws: WebStack, kind: OptionalKind, wants: readonly KubeObject[], deps: OptionalDeps, log: Logger,
  outcome: OptionalOutcome): Promise<void> {
  const ns = ws.metadata.namespace!;
  const stack = ws.metadata.name;
  const live = (await deps.client.list<LiveObject & KubeObj>(kind.type, ns, `${LABEL_STACK}=${stack}`)).items;
  for (const want of wants) {
    const current = live.find((o) => o.metadata.name === want.metadata.name)
      ?? await deps.client.get<LiveObject & KubeObj>(kind.type, ns, want.metadata.name);
    const conflict = ownershipConflict(current, ws.metadata.uid);
    if (conflict) {
      outcome.conflicts.push(conflict);
    } else {
      const desired = withAppliedHash(want);
      const reason = applyReason(desired as unknown as Record<string, unknown>, current);
      if (reason) {
        try {
          await deps.client.apply(kind.type, desired as KubeObj, MANAGER);
        } catch (err) {
          if (err instanceof ApiError && err.code === 404) throw err;
          throw new Error(`apply ${want.kind} ${want.metadata.name}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
        }
        const verb = current ? 'Updated' : 'Created';
        log.info(`${verb.toLowerCase()} ${want.kind}`, { object: want.metadata.name, why: reason });
        await deps.events.normal(ws, verb, `${verb} ${want.kind} ${want.metadata.name}${current ? ` (${reason})` : ''}`);
      }
    }
  }
  for (const o of childrenToDelete(wants, live, stack, ws.metadata.uid!)) {
    await deps.client.delete(kind.type, ns, o.metadata.name!, o.metadata.uid);
    log.info(`deleted ${o.kind}`, { object: o.metadata.name, why: 'no longer part of the spec' });
    await deps.events.normal(ws, 'Deleted', `Deleted ${o.kind} ${o.metadata.name} (no longer part of the spec)`);
  }
}
