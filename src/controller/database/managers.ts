/**
 * The database managers of the operator: one DatabaseManager per valid, live WebStack, started
 * when the stack appears and stopped when it goes. They follow WebStacks through the watch, like
 * the reconcile, and write their own part of the status (status.database and the database
 * conditions): the two loops meet only through the API and the pod labels.
 */
import { resolveSpec } from '../../api/defaults.js';
import { LABEL_STACK, names } from '../../api/labels.js';
import type { WebStack } from '../../api/types.js';
import { validateWebStack } from '../../api/validate.js';
import type { InformerEvent } from '../../kube/informer.js';
import { forStack } from '../../log.js';
import { DatabaseManager } from '../../mysql/manager.js';
import { managerSpec } from '../../mysql/manager-spec.js';
import { fencedInstances } from '../../api/fencing.js';
import type { EventSink, ManagerSpec } from '../../mysql/ports.js';
import { credentialsFromSecretData } from '../../render/credentials.js';
import { resourceFor, WEBSTACK } from '../resources.js';
import { stackKey } from '../stack-keys.js';
import { StartAttempts } from '../start-attempts.js';
import { PodRoleLabeler } from './labeler.js';
import { managerCredentials } from './manager-inputs.js';
import { PodRestarter } from './restarter.js';
import { AgentFencer } from './agent-fencer.js';
import { rebuilderFor } from './rebuilders.js';
import { ConfigMapErrantArchive } from './errant-archive.js';
import { AgentClient } from '../../agent/client.js';
import { agentToken } from '../../agent/protocol.js';
import { PodWatch } from './pod-watch.js';
import { instancesFromPods, isDatabasePodOf, podFingerprint, type DatabasePod, type DatabaseStatefulSet } from './topology.js';
import { WebStackDatabaseStatus } from './webstack-status.js';
import type { OperatorParts } from '../operator.js';
import { TLS_SECRET_KEYS } from '../../pki/database-certificates.js';

interface RunningStack {
  ws: WebStack;
  spec: ManagerSpec;
  manager: DatabaseManager;
  labeler: PodRoleLabeler;
}

const SECRET = resourceFor('v1', 'Secret');

/** A stack bootstrapped from a backup until its restore is done (src/controller/backup). */
const restoring = (ws: WebStack): boolean =>
  !!ws.spec.database?.restore && ws.status?.restore?.phase !== 'Completed' && ws.status?.restore?.phase !== 'Failed';

export class DatabaseManagers {
  private readonly stacks = new Map<string, RunningStack>();
  /** Stacks whose manager is being set up or waits for its Secret, with the latest WebStack seen. */
  private readonly starts: StartAttempts<WebStack>;
  private readonly fingerprints = new Map<string, string>();
  private readonly pods: PodWatch;
  private running = false;

  constructor(private readonly opts: OperatorParts) {
    this.pods = opts.pods;
    this.pods.on((type, pod) => this.onPod(type, pod));
    this.starts = new StartAttempts<WebStack>(opts.clock, opts.timings.startRetryMs, {
      start: (key, latest) => this.startStack(key, latest),
      failed: (_key, ws, err) => forStack(opts.log, ws.metadata.namespace!, ws.metadata.name).warn('database manager not started, retrying',
        { error: err instanceof Error ? err.message : String(err) }),
    });
    opts.caches.on<WebStack>([WEBSTACK], (type, ws) => {
      if (type === 'delete') void this.stopStack(stackKey(ws.metadata.namespace, ws.metadata.name));
      else this.sync(ws);
    });
    // A new stack's Secret is written by the reconcile: its manager need not wait for the next attempt.
    opts.caches.on<{ metadata: { namespace?: string; labels?: Record<string, string> } }>([SECRET], (type, s) => {
      const stack = s.metadata.labels?.[LABEL_STACK];
      if (type === 'add' && stack) this.starts.retryNow(stackKey(s.metadata.namespace, stack));
    });
  }

  /** While leading: a manager for every stack there is, and for those that come. */
  start(): void {
    if (this.running) return;
    this.running = true;
    for (const ws of this.opts.caches.list<WebStack>(WEBSTACK.kind)) this.sync(ws);
  }

  /** Stops every manager (operator shutdown or lost leadership), waiting for running actions. */
  async stop(): Promise<void> {
    this.running = false;
    this.starts.cancelAll();
    await Promise.all([...this.stacks.keys()].map((k) => this.stopStack(k)));
  }

  /** A stack with an invalid spec keeps the manager it had: nothing running is torn down for a bad edit. */
  private sync(ws: WebStack): void {
    if (!this.running) return;
    const key = stackKey(ws.metadata.namespace, ws.metadata.name);
    if (ws.metadata.deletionTimestamp) {
      void this.stopStack(key);
      return;
    }
    if (validateWebStack(ws).length > 0) return;
    const running = this.stacks.get(key);
    if (running) {
      running.ws = ws;
      const spec = managerSpec(resolveSpec(ws).database, restoring(ws), fencedInstances(ws));
      if (JSON.stringify(spec) !== JSON.stringify(running.spec)) {
        running.spec = spec;
        running.manager.poke();
      }
      return;
    }
    this.starts.request(key, ws);
  }

  private async stopStack(key: string): Promise<void> {
    this.starts.cancel(key);
    const running = this.stacks.get(key);
    if (!running) return;
    this.stacks.delete(key);
    await running.manager.stop();
    forStack(this.opts.log, running.ws.metadata.namespace!, running.ws.metadata.name).info('database manager stopped');
  }

  private async startStack(key: string, latestSeen: () => WebStack | undefined): Promise<void> {
    await this.pods.ready();
    const first = latestSeen();
    if (!first || !this.running) return;
    const ns = first.metadata.namespace!;
    const name = first.metadata.name;
    const secretName = names.mysqlSecret(name);
    const secret = await this.opts.client.get<{ data?: Record<string, string> }>(SECRET, ns, secretName);
    if (!secret) throw new Error(`Secret ${ns}/${secretName} not found yet`);
    const credentials = managerCredentials(credentialsFromSecretData(secret.data, `Secret ${ns}/${secretName}`), resolveSpec(first));
    const latest = latestSeen();
    if (!latest || !this.running) return;
    const log = forStack(this.opts.log, ns, name);
    const status = new WebStackDatabaseStatus(this.opts.client, ns, name, this.opts.clock);
    const labeler = new PodRoleLabeler(this.opts.client, this.pods, ns);
    const events: EventSink = { event: (type, reason, message) => void this.opts.events.record(running.ws, type, reason, message) };
    const podRestarter = new PodRestarter(this.opts.client, this.pods, ns);
    const agents = this.opts.agents ? new AgentClient({ token: agentToken(credentials.adminPassword) }) : undefined;
    const running: RunningStack = {
      ws: latest, spec: managerSpec(resolveSpec(latest).database, restoring(latest), fencedInstances(latest)), labeler, manager: undefined as unknown as DatabaseManager,
    };
    const fencer = agents ? new AgentFencer(agents, this.pods, ns, podRestarter, events) : undefined;
    running.manager = new DatabaseManager({
      stack: { namespace: ns, name },
      spec: () => running.spec,
      credentials,
      caBundle: () => this.caBundle(ns, name),
      topology: { instances: async () => instancesFromPods(this.pods.stackPods(ns, name), ns, name, this.statefulSet(ns, name)) },
      record: status,
      status,
      labeler,
      events,
      restarter: fencer ?? podRestarter,
      killer: fencer,
      roller: podRestarter,
      rebuilder: rebuilderFor({
        engine: resolveSpec(latest).database.engine, namespace: ns, stack: name, credentials, timings: this.opts.timings, pods: this.pods,
        instances: async () => instancesFromPods(this.pods.stackPods(ns, name), ns, name, this.statefulSet(ns, name)),
        caBundle: () => this.caBundle(ns, name),
        // Its calls are quick (the copy runs on its own): a short deadline keeps a hung agent from stalling the manager's ticks.
        agents: this.opts.agents ? new AgentClient({ token: agentToken(credentials.adminPassword), timeoutMs: this.opts.timings.queryTimeoutMs }) : undefined,
      }),
      errantArchive: new ConfigMapErrantArchive(this.opts.client, () => running.ws),
      registry: this.opts.registry,
      clock: this.opts.clock,
      timings: this.opts.timings,
      log,
    });
    this.stacks.set(key, running);
    running.manager.start();
    log.info('database manager started', { instances: instancesFromPods(this.pods.stackPods(ns, name), ns, name, this.statefulSet(ns, name)).length });
  }

  /** The stack's database StatefulSet: its instances are the pods it controls; its update revision tells outdated ones. */
  private statefulSet(namespace: string, stack: string): DatabaseStatefulSet | undefined {
    const sts = this.opts.caches.get<{ metadata: { uid?: string }; status?: { updateRevision?: string } }>('StatefulSet', namespace, names.mysql(stack));
    return sts && { uid: sts.metadata.uid, updateRevision: sts.status?.updateRevision };
  }

  /** The stack's CA bundle: ca.crt of `<stack>-mysql-tls`, the operator's or cert-manager's (certificates, not secrets). */
  private caBundle(namespace: string, stack: string): string | undefined {
    const data = this.opts.caches.get<{ data?: Record<string, string> }>('Secret', namespace, names.mysqlTlsSecret(stack))?.data;
    const value = data?.[TLS_SECRET_KEYS.caBundle];
    return value ? Buffer.from(value, 'base64').toString('utf8') : undefined;
  }

  /** The uid of the stack's database StatefulSet: its instances are the pods it controls. */
  private statefulSetUid(namespace: string, stack: string): string | undefined {
    return this.statefulSet(namespace, stack)?.uid;
  }

  /** A database pod's address, readiness or existence changed: its manager looks now, not at the next tick. */
  private onPod(type: InformerEvent, pod: DatabasePod): void {
    const stack = pod.metadata.labels?.[LABEL_STACK];
    if (!stack || !isDatabasePodOf(pod, stack, this.statefulSetUid(pod.metadata.namespace!, stack))) return;
    const running = this.stacks.get(stackKey(pod.metadata.namespace, stack));
    if (!running) return;
    const podKey = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const previous = this.fingerprints.get(podKey);
    const fingerprint = podFingerprint(pod);
    if (type === 'delete') this.fingerprints.delete(podKey);
    else this.fingerprints.set(podKey, fingerprint);
    if (type !== 'update' || previous !== fingerprint) running.manager.poke();
    if (type !== 'delete') {
      running.labeler.label(pod.metadata.name!).catch((err: unknown) => {
        forStack(this.opts.log, pod.metadata.namespace!, stack).warn('could not label database pod',
          { pod: pod.metadata.name, error: err instanceof Error ? err.message : String(err) });
      });
    }
  }
}
