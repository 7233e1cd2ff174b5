/**
 * The database failover manager inside the operator: one DatabaseManager per WebStack, started on
 * the first ensure() of a valid stack and stopped with the stack or the operator. It meets the
 * reconcile only through the status and pod labels: the addon alone writes status.database (its
 * record and its observations), the reconcile writes the conditions it contributes, so neither
 * writer can undo the other.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import { resolveSpec } from '../../api/defaults.js';
import { LABEL_STACK, names } from '../../api/labels.js';
import type { WebStack } from '../../api/types.js';
import { forStack, type Logger } from '../../log.js';
import { DatabaseManager } from '../../mysql/manager.js';
import { managerSpec, type ManagerSpec } from '../../mysql/ports.js';
import { credentialsFromSecretData } from '../../render/credentials.js';
import type { AddonContribution, StackAddon } from '../addons.js';
import type { Clock, Timer } from '../../clock.js';
import type { EventRecorder } from '../../kube/events.js';
import type { InformerEvent } from '../../kube/informer.js';
import type { KubeClient } from '../../kube/client.js';
import { resourceFor } from '../resources.js';
import { databaseContribution, instancesShape } from './contribution.js';
import { PodRoleLabeler } from './labeler.js';
import { PodRestarter } from './restarter.js';
import { managerCredentials } from './manager-inputs.js';
import { PodWatch } from './pod-watch.js';
import { StatusRecord } from './status-record.js';
import { instancesFromPods, isDatabasePodOf, podFingerprint, type DatabasePod } from './topology.js';

export interface DatabaseAddonOptions {
  kubeConfig: KubeConfig;
  client: KubeClient;
  events: EventRecorder;
  /** The operator's registry: failovers_total, switchovers_total and the duration histogram go there. */
  registry: Registry;
  log: Logger;
  /** Empty: every namespace. */
  namespaces: readonly string[];
  clock: Clock;
  /** The manager's tick; pod events tick it sooner. */
  tickMs?: number;
  /** How often a new contribution or instance list is looked for. */
  publishMs?: number;
  /** Lag and GTID positions alone are written at most this often (they change with every write). */
  positionsEveryMs?: number;
}

interface RunningStack {
  ws: WebStack;
  spec: ManagerSpec;
  changed: () => void;
  manager: DatabaseManager;
  record: StatusRecord;
  labeler: PodRoleLabeler;
  contributionKey: string;
  instancesShape: string;
  instancesJson: string;
  publishedAt: number;
  publishing: boolean;
}

const SECRET = resourceFor('v1', 'Secret');
const START_RETRY_MS = 5_000;

export class DatabaseAddon implements StackAddon {
  private readonly stacks = new Map<string, RunningStack>();
  /** Stacks whose manager is being set up, with the latest ensure() arguments. */
  private readonly starting = new Map<string, { ws: WebStack; changed: () => void }>();
  private readonly fingerprints = new Map<string, string>();
  private readonly pods: PodWatch;
  private publishTimer: Timer | undefined;
  private closed = false;

  constructor(private readonly opts: DatabaseAddonOptions) {
    this.pods = new PodWatch(opts.kubeConfig, opts.client, opts.namespaces, opts.clock, opts.log);
    this.pods.on((type, pod) => this.onPod(type, pod));
  }

  ensure(ws: WebStack, changed: () => void): void {
    if (this.closed) return;
    const key = `${ws.metadata.namespace}/${ws.metadata.name}`;
    const running = this.stacks.get(key);
    if (running) {
      running.ws = ws;
      running.changed = changed;
      const spec = managerSpec(resolveSpec(ws).database);
      if (JSON.stringify(spec) !== JSON.stringify(running.spec)) {
        running.spec = spec;
        running.manager.poke();
      }
      return;
    }
    const pending = this.starting.get(key);
    this.starting.set(key, { ws, changed });
    if (pending) return;
    this.start(key).catch((err: unknown) => {
      this.starting.delete(key);
      forStack(this.opts.log, ws.metadata.namespace!, ws.metadata.name).warn('database manager not started, retrying',
        { error: err instanceof Error ? err.message : String(err) });
      // A reconcile calls ensure() again; asked for soon rather than at the next resync.
      this.opts.clock.after(START_RETRY_MS, () => { if (!this.closed) changed(); });
    });
  }

  async stop(key: string): Promise<void> {
    this.starting.delete(key);
    const running = this.stacks.get(key);
    if (!running) return;
    this.stacks.delete(key);
    await running.manager.stop();
    forStack(this.opts.log, running.ws.metadata.namespace!, running.ws.metadata.name).info('database manager stopped');
  }

  contribution(key: string): AddonContribution | undefined {
    const running = this.stacks.get(key);
    return databaseContribution(running?.manager.status().lastDecision ? running.manager.status() : undefined);
  }

  /** Stops every manager (operator shutdown or lost leadership), waiting for running actions. */
  async close(): Promise<void> {
    this.closed = true;
    this.publishTimer?.cancel();
    this.starting.clear();
    await Promise.all([...this.stacks.keys()].map((k) => this.stop(k)));
    await this.pods.stop();
  }

  private async start(key: string): Promise<void> {
    await this.pods.ready();
    const first = this.starting.get(key);
    if (!first || this.closed) return;
    const ns = first.ws.metadata.namespace!;
    const name = first.ws.metadata.name;
    const secretName = names.mysqlSecret(name);
    const secret = await this.opts.client.get<{ data?: Record<string, string> }>(SECRET, ns, secretName);
    if (!secret) throw new Error(`Secret ${ns}/${secretName} not found yet`);
    const resolved = resolveSpec(first.ws);
    const credentials = managerCredentials(credentialsFromSecretData(secret.data, `Secret ${ns}/${secretName}`), resolved);
    const latest = this.starting.get(key);
    if (!latest || this.closed) return;
    this.starting.delete(key);
    const log = forStack(this.opts.log, ns, name);
    const record = new StatusRecord(this.opts.client, ns, name);
    const labeler = new PodRoleLabeler(this.opts.client, this.pods, ns);
    const running: RunningStack = {
      ws: latest.ws, spec: managerSpec(resolveSpec(latest.ws).database), changed: latest.changed, record, labeler,
      contributionKey: '', instancesShape: '', instancesJson: '', publishedAt: 0, publishing: false,
      manager: undefined as unknown as DatabaseManager,
    };
    running.manager = new DatabaseManager({
      stack: { namespace: ns, name },
      spec: () => running.spec,
      credentials,
      topology: { instances: async () => instancesFromPods(this.pods.pods(ns), ns, name) },
      record,
      labeler,
      events: { event: (type, reason, message) => void this.opts.events.record(running.ws, type, reason, message) },
      restarter: new PodRestarter(this.opts.kubeConfig, this.pods, ns),
      registry: this.opts.registry,
      clock: this.opts.clock,
      tickMs: this.opts.tickMs ?? 500,
      log,
    });
    this.stacks.set(key, running);
    running.manager.start();
    log.info('database manager started', { instances: instancesFromPods(this.pods.pods(ns), ns, name).length });
    this.schedulePublish();
  }

  private schedulePublish(): void {
    if (this.publishTimer || this.closed) return;
    this.publishTimer = this.opts.clock.after(this.opts.publishMs ?? 500, () => {
      this.publishTimer = undefined;
      for (const running of this.stacks.values()) this.publish(running);
      if (this.stacks.size > 0) this.schedulePublish();
    });
  }

  /** A changed contribution asks the reconcile to write conditions; changed instances are written here. */
  private publish(running: RunningStack): void {
    const observed = running.manager.status();
    if (!observed.lastDecision) return;
    const key = JSON.stringify(databaseContribution(observed));
    if (key !== running.contributionKey) {
      running.contributionKey = key;
      running.changed();
    }
    const shape = instancesShape(observed.instances);
    const json = JSON.stringify(observed.instances);
    const now = this.opts.clock.now();
    const due = shape !== running.instancesShape
      || (json !== running.instancesJson && now - running.publishedAt >= (this.opts.positionsEveryMs ?? 10_000));
    if (!due || running.publishing) return;
    running.publishing = true;
    running.record.writeObserved({ instances: observed.instances }).then(() => {
      running.instancesShape = shape;
      running.instancesJson = json;
      running.publishedAt = now;
    }, (err: unknown) => {
      forStack(this.opts.log, running.ws.metadata.namespace!, running.ws.metadata.name)
        .warn('could not write database instances to status', { error: err instanceof Error ? err.message : String(err) });
    }).finally(() => { running.publishing = false; });
  }

  /** A database pod's address, readiness or existence changed: its manager looks now, not at the next tick. */
  private onPod(type: InformerEvent, pod: DatabasePod): void {
    const stack = pod.metadata.labels?.[LABEL_STACK];
    if (!stack || !isDatabasePodOf(pod, stack)) return;
    const running = this.stacks.get(`${pod.metadata.namespace}/${stack}`);
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
