/**
 * One reconcile of one WebStack, level-triggered: read everything from the caches, converge the
 * children, compute the status once at the end. It never depends on which event woke it.
 */
import { randomBytes } from 'node:crypto';
import { resolveSpec } from '../api/defaults.js';
import { LABEL_COMPONENT, MANAGER, names } from '../api/labels.js';
import type { WebStack } from '../api/types.js';
import { formatValidationErrors, validateWebStack } from '../api/validate.js';
import { forStack, type Logger } from '../log.js';
import { credentialsFromSecretData, newDatabaseCredentials, type DatabaseCredentials } from '../render/credentials.js';
import type { KubeObject } from '../render/object.js';
import { tlsChecksum } from '../render/loadbalancer.js';
import { DEFAULT_CLUSTER_DOMAIN } from '../render/database.js';
import type { DatabaseCertificates } from '../pki/database-certificates.js';
import type { CertificateMemo } from './certificate-memo.js';
import { renderOptionalObjects, renderStack } from '../render/stack.js';
import type { ServedKinds } from '../kube/discovery.js';
import { convergeOptionalChildren, type MissingApi } from './optional-children.js';
import { newStoreToken, STORE_TOKEN_KEY } from '../backup/store-protocol.js';
import { usesBackupVolume } from '../render/backup-store.js';
import { HAPROXY_ADMIN_TOKEN_KEY, newAdminToken, weightsRequestBody, weightsSetLive } from '../render/haproxy-weights.js';
import { haproxyPods, setWeights, type StackPods } from './haproxy-weights.js';
import type { WeightsSent } from './weights-sent.js';
import { stackKey } from './stack-keys.js';
import type { AppliedMemo } from './applied-memo.js';
import type { OwnWrites } from './own-writes.js';
import type { Caches } from '../kube/caches.js';
import { childrenToDelete, ownedBy, type LiveObject } from './children.js';
import { backupClaimErrors, immutableFieldErrors, type LiveClaim, type LiveStatefulSet } from './immutable.js';
import { heldDatabaseReplicas } from './scale-down.js';
import { databaseTlsSecretProblem, isUnowned, keptClaimConflict, ownershipConflict, tlsSecretProblem, type TlsSecret } from './ownership.js';
import type { Clock } from '../clock.js';
import { applyReason, CHANGED_SINCE_LAST_APPLY } from './diff.js';
import { withAppliedHash } from './applied-hash.js';
import type { EventRecorder } from '../kube/events.js';
import type { KubeClient, KubeObj } from '../kube/client.js';
import { patchStatus } from '../kube/status-patch.js';
import type { Timings } from '../timings.js';
import { rfc3339 } from './conditions.js';
import { objectKey } from '../kube/resource-type.js';
import { CACHE_SLIM, COMPARED_SLIM, resourceFor, WEBSTACK } from './resources.js';
import { slimObject, type CacheTransform } from '../kube/cache-transform.js';
import { computeStatus, mergePatch, statusEqual } from './status.js';
import type { LiveWorkload } from './workloads.js';

export interface ReconcileDeps {
  client: KubeClient;
  caches: Caches;
  /** What the caches keep of an object (CACHE_SLIM), for the responses of the reconcile's own writes. */
  cacheTransform: CacheTransform;
  events: EventRecorder;
  memo: AppliedMemo;
  ownWrites: OwnWrites;
  /** Each stack's certificate decision, kept while its Secrets stay the same. */
  certificates: CertificateMemo;
  /** The pods of the operator's namespaces, cached (the HAProxy pods weights are sent to). */
  pods: StackPods;
  /** Which HAProxy pods already took the spec's weights. */
  weightsSent: WeightsSent;
  log: Logger;
  clock: Clock;
  /** A database manager runs: Ready and Degraded also follow the conditions it stores in the status. */
  databaseManaged: boolean;
  timings: Pick<Timings, 'terminatingRecheckMs' | 'optionalApiRecheckMs'>;
  /** Which kinds of other projects' CRDs the API server serves. */
  servedKinds: ServedKinds;
  /** `--agent-image`: the agent runs in each database pod. */
  agentImage?: string;
  /** `--mysqld-exporter-image`: mysqld-exporter runs in each database pod. */
  exporterImage?: string;
  /** `--backup-store-image`: a stack whose backups go to its own volume gets a backup store. */
  backupStoreImage?: string;
}

export type ReconcileResult =
  | { result: 'deleted' | 'invalid' | 'converged' }
  /** Waiting for something that produces no event we watch: come back later. */
  | { result: 'waiting'; requeueAfterMs: number };

/** A reconcile that could not finish: requeued with backoff. Its message never holds secret values. */
export class ReconcileError extends Error {}

export async function reconcile(key: string, deps: ReconcileDeps): Promise<ReconcileResult> {
  const [namespace, name] = key.split('/');
  const ws = deps.caches.get<WebStack>(WEBSTACK.kind, namespace, name);
  if (!ws || ws.metadata.deletionTimestamp) {
    // Children go with the WebStack through their owner references: nothing to delete here.
    deps.memo.forgetPrefix(`${namespace}/${name}/`);
    deps.certificates.forget(key);
    deps.weightsSent.forget(key);
    return { result: 'deleted' };
  }
  const log = forStack(deps.log, namespace, name);
  const generation = ws.metadata.generation ?? 0;

  const ns = ws.metadata.namespace!;
  const errors = [
    ...validateWebStack(ws),
    ...immutableFieldErrors(ws, deps.caches.get<LiveStatefulSet & LiveObject>('StatefulSet', ns, names.mysql(name))),
    ...backupClaimErrors(ws, deps.caches.get<LiveClaim>('PersistentVolumeClaim', ns, names.backupVolume(name))),
  ];
  if (errors.length > 0) {
    const message = formatValidationErrors(errors);
    log.warn('invalid spec, nothing applied', { generation, fields: errors.map((e) => e.field) });
    await deps.events.warning(ws, 'InvalidSpec', message);
    await writeStatus(ws, deps, log, { invalidSpec: message });
    return { result: 'invalid' };
  }

  let applyError: string | undefined;
  let waiting = false;
  let blocked: Blocked | undefined;
  let missingApis: MissingApi[] = [];
  try {
    const credentials = await databaseCredentials(ws, deps);
    const haproxyAdminToken = adminToken(ws, deps);
    const certificates = await databaseTls(ws, deps, log);
    const backupStore = usesBackupVolume(ws) ? { token: backupStoreToken(ws, deps), image: deps.backupStoreImage } : undefined;
    const inputs = { credentials, certificates, haproxyAdminToken, tlsChecksum: tlsSecretChecksum(ws, deps), agentImage: deps.agentImage,
      exporterImage: deps.exporterImage, backupStore };
    const desired = holdDatabaseSize(ws, renderStack(ws, inputs)).map(withAppliedHash);
    const held = holdBack(ws, desired, deps);
    blocked = held.blocked;
    if (blocked) {
      log.warn('children held back', { generation, reason: blocked.reason, objects: [...held.keys] });
      await deps.events.warning(ws, blocked.reason, blocked.message);
    }
    waiting = await applyChildren(ws, desired.filter((o) => !held.keys.has(objectKey(o))), deps, log);
    // Held-back objects stay desired: what runs is kept, nothing of ours is deleted for it.
    await deleteUnwanted(ws, desired, deps, log);
    const optional = await convergeOptionalChildren(ws, renderOptionalObjects(ws), deps, log);
    missingApis = optional.missing;
    for (const m of missingApis) await deps.events.warning(ws, m.reason, m.message);
    if (optional.conflicts.length > 0) {
      const message = `not applied, owned by someone else: ${optional.conflicts.join('; ')}`;
      blocked = blocked ? { ...blocked, message: `${blocked.message}; ${message}` } : { reason: 'Conflict', message };
    }
    // HAProxy held back (TLS Secret unusable, or not ours): its running pods are left exactly as they are.
    const haproxyHeld = held.keys.has(objectKey({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { namespace: ns, name: names.haproxy(name) } }));
    if (!haproxyHeld && await applyWeights(ws, haproxyAdminToken, deps, log)) waiting = true;
  } catch (err) {
    applyError = err instanceof Error ? err.message : String(err);
    log.error('reconcile failed', { generation, error: applyError });
  }
  await writeStatus(ws, deps, log, { applyError, blocked, missingApis });
  if (applyError) throw new ReconcileError(applyError);
  // Nothing we watch tells this stack that a neighbour let go of a name, or that a CRD was installed: look again later.
  const recheck = [
    ...(waiting || blocked ? [deps.timings.terminatingRecheckMs] : []),
    ...(missingApis.length > 0 ? [deps.timings.optionalApiRecheckMs] : []),
  ];
  return recheck.length > 0 ? { result: 'waiting', requeueAfterMs: Math.min(...recheck) } : { result: 'converged' };
}

/** The StatefulSet kept at the recorded primary's size until the manager has switched over (scale-down below the primary). */
function holdDatabaseSize(ws: WebStack, desired: KubeObject[]): KubeObject[] {
  const want = resolveSpec(ws).database.replicas;
  const held = heldDatabaseReplicas(ws.metadata.name, want, ws.status?.database?.primary);
  if (held === want) return desired;
  return desired.map((o) => (o.kind === 'StatefulSet' && o.metadata.name === names.mysql(ws.metadata.name)
    ? { ...o, spec: { ...(o.spec as object), replicas: held } } : o));
}

/** Why some children were not applied: a condition reason and a message naming the objects. */
export interface Blocked { reason: 'Conflict' | 'InvalidTLSSecret' | 'DatabaseCertificatePending'; message: string }

/**
 * Children this reconcile must not apply: objects controlled by someone else (never
 * overwritten), the stack's database Secret when a user made it (used, never adopted: deleting
 * the stack must not delete the user's credentials), HAProxy's ConfigMap and Deployment
 * while the TLS Secret is unusable (the running pods keep serving with the certificate they have),
 * and the database and app workloads while cert-manager has not written a usable database TLS Secret.
 */
function holdBack(ws: WebStack, desired: KubeObject[], deps: ReconcileDeps): { keys: Set<string>; blocked?: Blocked } {
  const ns = ws.metadata.namespace!;
  const stack = ws.metadata.name;
  const keys = new Set<string>();
  const conflicts: string[] = [];
  for (const obj of desired) {
    const live = deps.caches.get<LiveObject>(obj.kind, ns, obj.metadata.name);
    if (obj.kind === 'Secret' && obj.metadata.name === names.mysqlSecret(stack) && isUnowned(live)) {
      keys.add(objectKey(obj));
      continue;
    }
    const conflict = obj.kind === 'PersistentVolumeClaim' ? keptClaimConflict(live, stack) : ownershipConflict(live, ws.metadata.uid);
    if (conflict) {
      keys.add(objectKey(obj));
      conflicts.push(conflict);
    }
  }
  if (conflicts.length > 0) {
    return { keys, blocked: { reason: 'Conflict', message: `not applied, owned by someone else: ${conflicts.join('; ')}` } };
  }
  const spec = resolveSpec(ws);
  const reasons: Blocked[] = [];
  const tls = spec.loadBalancer.tls;
  const problem = tls && tlsSecretProblem(deps.caches.get<TlsSecret>('Secret', ns, tls.secretName), tls.secretName);
  if (problem) {
    for (const obj of desired) {
      if ((obj.kind === 'Deployment' || obj.kind === 'ConfigMap') && obj.metadata.name === names.haproxy(stack)) keys.add(objectKey(obj));
    }
    reasons.push({ reason: 'InvalidTLSSecret', message: `spec.loadBalancer.tls.secretName: ${problem}; HAProxy keeps its running configuration` });
  }
  const databaseSecret = names.mysqlTlsSecret(stack);
  const databaseProblem = spec.database.tls.issuerRef
    && databaseTlsSecretProblem(deps.caches.get<TlsSecret>('Secret', ns, databaseSecret), databaseSecret);
  if (databaseProblem) {
    // Database and app pods mount it: they wait for it, and those running keep the files they have.
    for (const obj of desired) {
      const component = obj.metadata.labels?.[LABEL_COMPONENT];
      if ((obj.kind === 'StatefulSet' || obj.kind === 'Deployment') && (component === 'database' || component === 'app')) keys.add(objectKey(obj));
    }
    reasons.push({ reason: 'DatabaseCertificatePending', message: `spec.database.tls.issuerRef: ${databaseProblem}; database and app pods wait for it` });
  }
  if (reasons.length === 0) return { keys };
  return { keys, blocked: { reason: reasons[0].reason, message: reasons.map((r) => r.message).join('; ') } };
}

/** The digest of the TLS Secret as cached (the Secret watch wakes the stack when it is renewed), when the stack has TLS. */
function tlsSecretChecksum(ws: WebStack, deps: ReconcileDeps): string | undefined {
  const tls = resolveSpec(ws).loadBalancer.tls;
  const secret = tls && deps.caches.get<TlsSecret>('Secret', ws.metadata.namespace!, tls.secretName);
  return secret ? tlsChecksum(secret.data) : undefined;
}

/** The token of HAProxy's admin frontend: from its Secret when it exists, a new one otherwise. */
function adminToken(ws: WebStack, deps: ReconcileDeps): string {
  const stored = ownSecretData(ws, names.haproxyAdminSecret(ws.metadata.name), deps)?.[HAPROXY_ADMIN_TOKEN_KEY];
  return stored ? Buffer.from(stored, 'base64').toString('utf8') : newAdminToken((n) => randomBytes(n));
}

/** The backup store's token: from its Secret when it exists, a new one otherwise. */
function backupStoreToken(ws: WebStack, deps: ReconcileDeps): string {
  const stored = ownSecretData(ws, names.backupStoreSecret(ws.metadata.name), deps)?.[STORE_TOKEN_KEY];
  return stored ? Buffer.from(stored, 'base64').toString('utf8') : newStoreToken((n) => randomBytes(n));
}

/**
 * The data of a Secret only the operator writes (a token, the database CA and certificate): as cached, or as
 * this process applied it when the cache has not caught up (the memo). The caches were synced before the
 * first reconcile and a previous leader's writes reach them long before its lease expires, so missing from
 * both is missing: no GET to confirm, no new value made for a Secret that exists.
 */
function ownSecretData(ws: WebStack, name: string, deps: ReconcileDeps): Record<string, string> | undefined {
  return (freshestChild(ws, 'v1', 'Secret', name, deps) as { data?: Record<string, string> } | undefined)?.data;
}

/** A child of `ws` as cached, or as this process applied it when the cache has not caught up (the memo). */
function freshestChild(ws: WebStack, apiVersion: string, kind: string, name: string, deps: ReconcileDeps): KubeObj | undefined {
  const ns = ws.metadata.namespace!;
  return deps.memo.freshest(memoKey({ apiVersion, kind, metadata: { namespace: ns, name } }, ws.metadata.name), deps.caches.get<KubeObj>(kind, ns, name));
}

/**
 * Sets the spec's tier weights in the running HAProxy pods that have not taken them (no restart). True
 * when a Ready pod could not take them: the reconcile comes back. A pod not Ready yet is tried again on
 * its next event (it turning Ready wakes the stack), until it takes them.
 */
async function applyWeights(ws: WebStack, token: string, deps: ReconcileDeps, log: Logger): Promise<boolean> {
  const spec = resolveSpec(ws);
  // A static algorithm's weights roll the pods instead (render/haproxy-weights.ts).
  if (!weightsSetLive(spec.loadBalancer.algorithm)) return false;
  const key = stackKey(ws.metadata.namespace, ws.metadata.name);
  const body = weightsRequestBody(spec);
  const pods = deps.weightsSent.due(key, haproxyPods(deps.pods, ws.metadata.namespace!, ws.metadata.name), body);
  if (pods.length === 0) return false;
  const outcomes = await setWeights(pods, body, token);
  outcomes.forEach((o, i) => {
    if (!o.error) deps.weightsSent.sent(key, pods[i], body);
  });
  const changed = outcomes.filter((o) => o.changed.length > 0);
  if (changed.length > 0) {
    log.info('tier weights set in running HAProxy pods', { pods: changed.map((o) => o.pod), servers: changed.flatMap((o) => o.changed) });
    const weights = spec.apps.map((a) => `${a.name}=${a.weight}`).join(', ');
    await deps.events.normal(ws, 'WeightsApplied', `weights ${weights} set in ${changed.map((o) => o.pod).join(', ')} without a restart`);
  }
  const failed = outcomes.filter((o) => o.error && o.ready);
  for (const f of failed) log.warn('could not set tier weights in an HAProxy pod', { pod: f.pod, error: f.error });
  return failed.length > 0;
}

/**
 * The stack's database credentials: from its Secret when it exists, new ones otherwise. A user may
 * make that Secret just before the stack, and its watch event may come after the stack's, so
 * "missing" is confirmed with a GET before new credentials are made: they must never change once created.
 */
async function databaseCredentials(ws: WebStack, deps: ReconcileDeps): Promise<DatabaseCredentials> {
  const ns = ws.metadata.namespace!;
  const secretName = names.mysqlSecret(ws.metadata.name);
  const cached = deps.caches.get<{ data?: Record<string, string> }>('Secret', ns, secretName);
  const secret = cached ?? await deps.client.get<{ data?: Record<string, string> }>(resourceFor('v1', 'Secret'), ns, secretName);
  if (secret) return credentialsFromSecretData(secret.data, `Secret ${ns}/${secretName}`);
  return newDatabaseCredentials((n) => randomBytes(n));
}

/**
 * The stack's database CA and server certificate: kept while valid, made when missing, renewed
 * when a third of their lifetime is left (src/pki/rotation.ts); none when an issuer signs them.
 * Running servers reload a renewed certificate without a restart (the database manager's FLUSH SSL).
 */
async function databaseTls(ws: WebStack, deps: ReconcileDeps, log: Logger): Promise<DatabaseCertificates | undefined> {
  // cert-manager makes and renews them instead (render/certificate.ts).
  if (resolveSpec(ws).database.tls.issuerRef) return undefined;
  const ns = ws.metadata.namespace!;
  const stack = ws.metadata.name;
  const ca = ownSecretData(ws, names.mysqlCaSecret(stack), deps);
  const tls = ownSecretData(ws, names.mysqlTlsSecret(stack), deps);
  const outcome = await deps.certificates.certificates(`${ns}/${stack}`, { ca, tls }, { stack, namespace: ns, clusterDomain: DEFAULT_CLUSTER_DOMAIN },
    new Date(deps.clock.now()));
  if (outcome.made.length > 0) {
    const message = `made the database ${outcome.made.join(' and ')}`;
    log.info(message);
    // A new stack's first CA and certificate are in its Created Event: one Event less for the API server per stack.
    if (ca || tls) await deps.events.normal(ws, 'CertificateIssued', message);
  }
  return outcome.certificates;
}

/** The AppliedMemo key of a stack's child. */
export function memoKey(o: { apiVersion: string; kind: string; metadata: { namespace?: string; name?: string } }, stack: string): string {
  return `${o.metadata.namespace}/${stack}/${objectKey(o)}`;
}

/** Apply every child whose live state differs from the desired; true when one is terminating (retry later). */
async function applyChildren(ws: WebStack, desired: KubeObject[], deps: ReconcileDeps, log: Logger): Promise<boolean> {
  let waiting: boolean;
  const created: string[] = [];
  const updated: string[] = [];
  try {
    waiting = await applyEach(ws, desired, deps, log, created, updated);
  } finally {
    // One log line and one Event per kind of action and reconcile, not one per object: a new stack makes two, not twenty.
    if (created.length > 0) {
      log.info('created children', { objects: created });
      await deps.events.normal(ws, 'Created', summarize('Created', created));
    }
    if (updated.length > 0) {
      log.info('updated children', { objects: updated });
      await deps.events.normal(ws, 'Updated', summarize('Updated', updated));
    }
  }
  return waiting;
}

/**
 * Objects of one kind are applied concurrently, kinds one after another in render order (Secrets
 * and ConfigMaps before the workloads that mount them): a new stack takes seven round trips, not twenty.
 */
async function applyEach(ws: WebStack, desired: KubeObject[], deps: ReconcileDeps, log: Logger, created: string[],
  updated: string[]): Promise<boolean> {
  let waiting = false;
  const groups: KubeObject[][] = [];
  for (const obj of desired) {
    const last = groups[groups.length - 1];
    if (last && last[0].kind === obj.kind) last.push(obj);
    else groups.push([obj]);
  }
  for (const group of groups) {
    const results = await Promise.allSettled(group.map(async (obj) => {
      const ns = obj.metadata.namespace!;
      const cached = deps.caches.get<KubeObj>(obj.kind, ns, obj.metadata.name);
      const mk = memoKey(obj, ws.metadata.name);
      const live = deps.memo.freshest(mk, cached);
      if (live?.metadata.deletionTimestamp) {
        // Applying would only touch an object on its way out; create it anew once it is gone.
        waiting = true;
        return;
      }
      // Compared as the cache keeps it (ConfigMap values as digests).
      const compared = slimObject(obj as KubeObj, CACHE_SLIM) as KubeObj;
      const reason = await changedField(compared, applyReason(compared, live), deps);
      if (!reason) return;
      let applied: KubeObj;
      deps.ownWrites.send(obj);
      try {
        // Kept in the memo until the cache has it: trimmed by the cache's own transform (its watch event then shares the copy).
        applied = deps.cacheTransform(await deps.client.apply(resourceFor(obj.apiVersion, obj.kind), obj as KubeObj, MANAGER)) as KubeObj;
      } catch (err) {
        deps.ownWrites.notWritten(obj);
        throw new Error(`apply ${obj.kind} ${obj.metadata.name}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
      deps.memo.remember(mk, cached, applied);
      deps.ownWrites.written(applied, deps.caches.get<LiveObject>(obj.kind, ns, obj.metadata.name)?.metadata.resourceVersion);
      // `reason` names a field path, never a value: safe for Secrets too.
      (live ? updated : created).push(`${obj.kind} ${obj.metadata.name}${live ? ` (${reason})` : ''}`);
    }));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
  return waiting;
}

/**
 * `reason`, or when it only says that an object cached without its content must change, the field
 * that differs in the object as the server has it (read for this: a change of the spec, not a resync).
 */
async function changedField(desired: KubeObj, reason: string | undefined, deps: ReconcileDeps): Promise<string | undefined> {
  if (reason !== CHANGED_SINCE_LAST_APPLY) return reason;
  const live = await deps.client.get<KubeObj>(resourceFor(desired.apiVersion, desired.kind), desired.metadata.namespace, desired.metadata.name!);
  return applyReason(desired, live && slimObject(live, COMPARED_SLIM) as KubeObj);
}

function summarize(verb: string, items: string[]): string {
  const shown = items.slice(0, 30).join(', ');
  return `${verb} ${items.length} object${items.length > 1 ? 's' : ''}: ${shown}${items.length > 30 ? ', ...' : ''}`;
}

async function deleteUnwanted(ws: WebStack, desired: KubeObject[], deps: ReconcileDeps, log: Logger): Promise<void> {
  // Once an issuer signs the database certificate, cert-manager writes over the operator's TLS Secret in place:
  // deleting it would leave the pods that mount it without one until cert-manager makes another.
  const handedOver = resolveSpec(ws).database.tls.issuerRef ? names.mysqlTlsSecret(ws.metadata.name) : undefined;
  const live = ownedBy(deps.caches, ws.metadata.uid!).filter((o) => !(o.kind === 'Secret' && o.metadata.name === handedOver));
  const deleted: string[] = [];
  for (const o of childrenToDelete(desired, live, ws.metadata.name, ws.metadata.uid!)) {
    try {
      await deps.client.delete(resourceFor(o.apiVersion, o.kind), o.metadata.namespace, o.metadata.name!, o.metadata.uid);
    } catch (err) {
      throw new Error(`delete ${o.kind} ${o.metadata.name}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    log.info(`deleted ${o.kind}`, { object: o.metadata.name, why: 'no longer part of the spec' });
    deleted.push(`${o.kind} ${o.metadata.name}`);
  }
  if (deleted.length > 0) await deps.events.normal(ws, 'Deleted', `${summarize('Deleted', deleted)} (no longer part of the spec)`);
}

async function writeStatus(ws: WebStack, deps: ReconcileDeps, log: Logger,
  outcome: { invalidSpec?: string; applyError?: string; blocked?: Blocked; missingApis?: MissingApi[] }): Promise<void> {
  const ns = ws.metadata.namespace!;
  const stack = ws.metadata.name;
  // What this reconcile applied counts before the cache has it: the echo of our write wakes no second reconcile.
  const get = (kind: string, n: string) =>
    freshestChild(ws, kind === 'Service' ? 'v1' : 'apps/v1', kind, n, deps) as (LiveWorkload & KubeObj) | undefined;
  // Status is judged on the last valid spec's shape when the current one is invalid.
  const spec = outcome.invalidSpec ? undefined : resolveSpec(ws);
  const observation = {
    generation: ws.metadata.generation ?? 0,
    now: rfc3339(deps.clock.now()),
    invalidSpec: outcome.invalidSpec,
    applyError: outcome.applyError,
    blocked: outcome.blocked,
    missingApis: outcome.missingApis,
    tiers: (spec?.apps ?? []).map((a) => ({ name: a.name, replicas: a.replicas, deployment: get('Deployment', names.app(stack, a.name)) })),
    haproxy: { replicas: spec?.loadBalancer.replicas ?? 0, deployment: get('Deployment', names.haproxy(stack)) },
    database: {
      replicas: spec ? heldDatabaseReplicas(stack, spec.database.replicas, ws.status?.database?.primary) : 0,
      statefulSet: get('StatefulSet', names.mysql(stack)),
    },
    service: get('Service', names.haproxy(stack)) as never,
    databaseManaged: deps.databaseManaged,
  };
  deps.ownWrites.send(ws);
  try {
    // The database manager writes the same status: computed again from the stored one if it moved.
    const written = await patchStatus<WebStack>(deps.client, WEBSTACK, ns, stack, (current) => {
      const next = computeStatus({ ...observation, previous: current.status });
      return statusEqual(current.status, next) ? undefined : mergePatch(current.status ?? {}, next) as object;
    }, ws);
    if (written) {
      deps.ownWrites.written(written, deps.caches.get<WebStack>(WEBSTACK.kind, ns, stack)?.metadata.resourceVersion);
      log.debug('status written', { generation: observation.generation });
    } else {
      deps.ownWrites.notWritten(ws);
    }
  } catch (err) {
    deps.ownWrites.notWritten(ws);
    throw new ReconcileError(`write status: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}
