/**
 * The kubelet's work for one Pod: an address, volumes as directories, each container as a
 * supervised process, probes driving readiness, and status written back to the API server.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { V1Container, V1Pod, V1Probe } from '@kubernetes/client-node';
import type { Logger } from '../../log.js';
import { MERGE_PATCH, tolerate, type Cluster } from './cluster.js';
import { containerMounts, planContainer, type PodContext, type ProcessPlan } from './container-plan.js';
import { deriveExporterConfig, exporterHosts } from './exporter-derive.js';
import { containerLogFile } from './container-logs.js';
import { ContainerProcess } from './container-process.js';
import { deriveHaproxyConfig } from './haproxy-derive.js';
import { mysqldIsMariadb, which } from './host-tools.js';
import { translatePathsIn, type HostMount } from './mounts.js';
import { ProbeState } from './probe-state.js';
import { runProbe } from './probes.js';
import { podStatus, type ContainerView } from './pod-status.js';
import { materializeVolumes, referencedSources, replaceFile, type Sources } from './pod-volumes.js';
import type { HostFacts } from './mount-namespace.js';
import type { Partitions } from './partitions.js';
import { issueTokens } from './token-issuer.js';
import { tokenKey, tokenSources } from './token-sources.js';

/** This checkout: the operator's image runs from it (dist/, node_modules), so its pods must see it. */
const CHECKOUT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface RunnerEnv {
  cluster: Cluster;
  log: Logger;
  stateDir: string;
  demoAppPath: string;
  dns?: { address: string };
  clusterDomain: string;
  /** On a real control plane: the Node's name, the `kubernetes` Service variables, and tokens from TokenRequest. */
  node?: { name: string; serviceEnv: Record<string, string> };
  operatorCommand: { command: string; args: string[] };
  mountHost?: HostFacts;
  /** Where `sandbox partition` cuts pods apart: each pod's processes run in its endpoint (`namespace/name`). */
  partitions?: Partitions;
}

interface RunningContainer {
  spec: V1Container;
  process: ContainerProcess;
  plan: ProcessPlan;
  mounts: HostMount[];
  readiness: ProbeState;
  startedAt?: number;
  timer?: NodeJS.Timeout;
}

const PRIVATE_ROOT_DIRS = ['tmp', 'run', 'var/run', 'var/lib', 'var/log'];

function probeThresholds(p: V1Probe | undefined) {
  return { successThreshold: p?.successThreshold ?? 1, failureThreshold: p?.failureThreshold ?? 3 };
}

export class PodRunner {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  private containers: RunningContainer[] = [];
  private waiting: { reason: string; message: string } | undefined = { reason: 'ContainerCreating', message: 'preparing volumes' };
  private stopped = false;
  private lastWritten = '';
  private writing: Promise<void> = Promise.resolve();
  private readonly startTime = new Date();
  private readonly podDir: string;
  private readonly rootfs: string;
  private prepareTimer: NodeJS.Timeout | undefined;
  private tokenTimer: NodeJS.Timeout | undefined;
  private volumeDirs: Record<string, string> = {};
  private warned = new Set<string>();
  private readonly partitions?: Partitions;

  constructor(private pod: V1Pod, readonly podIP: string, private readonly env: RunnerEnv) {
    this.namespace = pod.metadata?.namespace ?? 'default';
    this.name = pod.metadata?.name ?? '';
    this.uid = pod.metadata?.uid ?? '';
    // Short: unix socket paths inside it (haproxy's stats socket) must stay under ~100 bytes.
    this.podDir = path.join(env.stateDir, 'pods', this.uid.slice(0, 8));
    this.rootfs = path.join(this.podDir, 'root');
    try {
      env.partitions?.add(this.endpoint, podIP);
      this.partitions = env.partitions;
    } catch (err) {
      env.log.warn('pod runs outside the partition endpoints: it cannot be cut off', { namespace: this.namespace, pod: this.name, error: String(err) });
    }
  }

  /** Its name among the partition endpoints. */
  get endpoint(): string {
    return `${this.namespace}/${this.name}`;
  }

  get logDir(): string {
    return path.join(this.env.stateDir, 'logs');
  }

  start(): void {
    void this.writeStatus();
    void this.prepare();
  }

  private async readSources(): Promise<Sources> {
    const refs = referencedSources(this.pod);
    const sources: Sources = { configMaps: {}, secrets: {} };
    await Promise.all([
      ...refs.configMaps.map(async (name) => {
        const cm = await tolerate(this.env.cluster.core.readNamespacedConfigMap({ name, namespace: this.namespace }), 404);
        if (cm) sources.configMaps[name] = { ...(cm.data ?? {}), ...Object.fromEntries(Object.entries(cm.binaryData ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('latin1')])) };
      }),
      ...refs.secrets.map(async (name) => {
        const s = await tolerate(this.env.cluster.core.readNamespacedSecret({ name, namespace: this.namespace }), 404);
        if (s) sources.secrets[name] = Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
      }),
    ]);
    if (this.env.node) {
      const issued = await issueTokens(this.env.cluster.core, this.pod);
      sources.tokens = issued.tokens;
      this.scheduleTokenRefresh(issued.refreshInMs);
    }
    return sources;
  }

  private scheduleTokenRefresh(inMs: number | undefined): void {
    if (this.tokenTimer) clearTimeout(this.tokenTimer);
    if (inMs === undefined || this.stopped) return;
    this.tokenTimer = setTimeout(() => void this.refreshTokens(), inMs);
  }

  /** Renews every projected token in place; a failure is retried in 10 s while the old token still works. */
  private async refreshTokens(): Promise<void> {
    try {
      const issued = await issueTokens(this.env.cluster.core, this.pod);
      for (const source of tokenSources(this.pod)) {
        const dir = this.volumeDirs[source.volume];
        const token = issued.tokens[tokenKey(source)];
        if (dir && token !== undefined && !this.stopped) await replaceFile(dir, source.path, token, source.mode ?? 0o644);
      }
      this.scheduleTokenRefresh(issued.refreshInMs);
    } catch (err) {
      this.env.log.warn('service account token renewal failed', { namespace: this.namespace, pod: this.name, error: String(err) });
      this.scheduleTokenRefresh(10_000);
    }
  }

  /** Volumes and config; retried every second while something is missing, as the kubelet does. */
  private async prepare(): Promise<void> {
    if (this.stopped) return;
    try {
      await rm(this.podDir, { recursive: true, force: true });
      await Promise.all([...PRIVATE_ROOT_DIRS.map((d) => mkdir(path.join(this.rootfs, d), { recursive: true })), mkdir(this.logDir, { recursive: true })]);
      const sources = await this.readSources();
      const volumeDirs = await materializeVolumes(this.pod, this.podDir, this.env.stateDir, sources);
      this.volumeDirs = volumeDirs;
      const ctx: PodContext = {
        pod: this.pod, podIP: this.podIP, rootfs: this.rootfs, volumeDirs, configMaps: sources.configMaps, secrets: sources.secrets,
        nodeName: this.env.node?.name, serviceEnv: this.env.node?.serviceEnv, operatorCommand: this.env.operatorCommand,
        mountHost: this.env.mountHost, keepVisible: [this.env.stateDir, CHECKOUT],
        dns: this.env.dns ? { address: this.env.dns.address, search: [`${this.namespace}.svc.${this.env.clusterDomain}`, `svc.${this.env.clusterDomain}`, this.env.clusterDomain] } : undefined,
        demoAppPath: this.env.demoAppPath, which, mysqldIsMariadb: mysqldIsMariadb(), hostPath: process.env.PATH ?? '/usr/bin:/bin',
      };
      if (this.stopped) return;
      await this.runInitContainers(ctx);
      if (this.stopped) return;
      this.startContainers(ctx);
    } catch (err) {
      const message = (err as Error).message;
      this.setWaiting('ContainerCreating', message);
      this.prepareTimer = setTimeout(() => void this.prepare(), 1000);
    }
  }

  private setWaiting(reason: string, message: string): void {
    this.waiting = { reason, message };
    this.warnOnce(reason, message);
    void this.writeStatus();
  }

  private warnOnce(reason: string, message: string): void {
    const key = `${reason}:${message}`;
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.env.log.warn(`pod ${this.name}: ${message}`, { namespace: this.namespace, pod: this.name, reason });
    const now = new Date();
    void tolerate(this.env.cluster.core.createNamespacedEvent({
      namespace: this.namespace,
      body: {
        metadata: { name: `${this.name}.${now.getTime().toString(16)}${this.warned.size}`, namespace: this.namespace },
        involvedObject: { apiVersion: 'v1', kind: 'Pod', name: this.name, namespace: this.namespace, uid: this.uid },
        reason, message, type: 'Warning', source: { component: 'sandbox-kubelet', host: this.env.node?.name ?? 'sandbox' },
        firstTimestamp: now, lastTimestamp: now, count: 1,
      },
    }), 409, 404).catch(() => undefined);
  }

  private planOrThrow(c: V1Container, ctx: PodContext): ProcessPlan {
    const plan = planContainer(c, ctx);
    if ('error' in plan) {
      const err = new Error(plan.error) as Error & { reason?: string };
      err.reason = plan.reason;
      throw err;
    }
    return plan;
  }

  private launchFor(c: V1Container, plan: ProcessPlan, ctx: PodContext) {
    const hc = plan.haproxyConfig;
    const ec = plan.exporterConfig;
    const mounts = containerMounts(c, ctx.volumeDirs);
    const { command, args } = this.partitions?.wrap(this.endpoint, plan.command, plan.args) ?? plan;
    let prepare: (() => Promise<void>) | undefined;
    if (hc) {
      prepare = async () => {
        const rendered = await readFile(hc.source, 'utf8');
        await writeFile(hc.target, deriveHaproxyConfig(rendered, this.podIP, this.env.dns?.address, mounts, this.rootfs));
      };
    } else if (ec) {
      prepare = async () => {
        const rendered = await readFile(ec.source, 'utf8');
        // It holds the exporter's password: readable by the pod's processes only.
        await writeFile(ec.target, deriveExporterConfig(rendered, mounts, this.rootfs), { mode: 0o600 });
        await writeFile(ec.hostsFile, exporterHosts(this.podIP));
      };
    }
    return { command, args, env: plan.env, cwd: plan.cwd, stopSignal: plan.stopSignal, prepare };
  }

  private logFile(container: string): string {
    return containerLogFile(this.env.stateDir, this.namespace, this.name, container);
  }

  private async runInitContainers(ctx: PodContext): Promise<void> {
    for (const c of this.pod.spec?.initContainers ?? []) {
      const plan = this.planOrThrow(c, ctx);
      for (;;) {
        const done = new Promise<number>((resolve) => {
          const p = new ContainerProcess(c.name, this.launchFor(c, plan, ctx), this.logFile(c.name), 'Never', () => {
            if (p.current.state === 'terminated') resolve(p.current.exitCode);
          });
          p.start();
        });
        const code = await done;
        if (code === 0 || this.stopped) break;
        this.setWaiting('PodInitializing', `init container ${c.name} exited with ${code}`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  private startContainers(ctx: PodContext): void {
    const plans = (this.pod.spec?.containers ?? []).map((c) => {
      const plan = planContainer(c, ctx);
      return { c, plan };
    });
    const failed = plans.find((p) => 'error' in p.plan);
    if (failed && 'error' in failed.plan) {
      // A pod that can't run here says why on its status and in an Event, and stays Pending.
      this.waiting = undefined;
      this.setWaiting(failed.plan.reason, failed.plan.error);
      return;
    }
    this.waiting = undefined;
    for (const { c, plan } of plans as Array<{ c: V1Container; plan: ProcessPlan }>) {
      const rc: RunningContainer = { spec: c, plan, mounts: containerMounts(c, ctx.volumeDirs), readiness: new ProbeState(probeThresholds(c.readinessProbe), !c.readinessProbe), process: undefined as never };
      rc.process = new ContainerProcess(c.name, this.launchFor(c, plan, ctx), this.logFile(c.name), this.pod.spec?.restartPolicy, () => {
        this.containerChanged(rc);
      });
      this.containers.push(rc);
      rc.process.start();
      this.env.log.info(`started ${plan.kind} container`, { namespace: this.namespace, pod: this.name, container: c.name, ip: this.podIP });
    }
    void this.writeStatus();
  }

  private containerChanged(rc: RunningContainer): void {
    const s = rc.process.current;
    const startedAt = s.state === 'running' ? s.startedAt.getTime() : undefined;
    if (startedAt !== rc.startedAt) {
      rc.startedAt = startedAt;
      rc.readiness.reset(!rc.spec.readinessProbe);
      if (rc.timer) clearTimeout(rc.timer);
      if (startedAt !== undefined) this.scheduleProbes(rc, startedAt);
    }
    void this.writeStatus();
  }

  /**
   * One loop per container: a startup probe holds the others back until it passes; liveness kills
   * the container; readiness sets Ready. All of them start over with the process.
   */
  private scheduleProbes(rc: RunningContainer, startedAt: number): void {
    const { readinessProbe, livenessProbe, startupProbe } = rc.spec;
    if (!readinessProbe && !livenessProbe && !startupProbe) return;
    const liveness = new ProbeState(probeThresholds(livenessProbe), true);
    let started = !startupProbe;
    let startupFailures = 0;
    const target = {
      podIP: this.podIP, container: rc.spec, env: rc.plan.env, cwd: rc.plan.cwd,
      translate: (a: string) => translatePathsIn(a, rc.mounts, this.rootfs),
    };
    const delay = (p: V1Probe | undefined) => (p?.initialDelaySeconds ?? 0) * 1000;
    const period = (p: V1Probe | undefined) => (p?.periodSeconds ?? 10) * 1000;
    const lastRun = { startup: 0, readiness: 0, liveness: 0 };
    const current = () => !this.stopped && rc.startedAt === startedAt;
    const kill = (why: string, message: string) => {
      this.env.log.warn(`${why} probe failed, killing container`, { namespace: this.namespace, pod: this.name, container: rc.spec.name, reason: message });
      rc.process.signal('SIGKILL');
    };
    const tick = async () => {
      if (!current()) return;
      const now = Date.now();
      const due = (p: V1Probe | undefined, key: keyof typeof lastRun) => p && now - startedAt >= delay(p) && now - lastRun[key] >= period(p);
      if (!started) {
        if (due(startupProbe, 'startup')) {
          lastRun.startup = now;
          const r = await runProbe(startupProbe!, target);
          if (current() && r.ok) started = true;
          // A failing startup probe means "not yet" until failureThreshold tries have failed.
          else if (current() && ++startupFailures >= probeThresholds(startupProbe).failureThreshold) { kill('startup', r.message); return; }
        }
      } else {
        if (due(readinessProbe, 'readiness')) {
          lastRun.readiness = now;
          const r = await runProbe(readinessProbe!, target);
          if (current() && rc.readiness.record(r.ok, r.message)) void this.writeStatus();
        }
        if (due(livenessProbe, 'liveness')) {
          lastRun.liveness = now;
          const r = await runProbe(livenessProbe!, target);
          if (current() && liveness.record(r.ok, r.message) && !liveness.passing) { kill('liveness', r.message); return; }
        }
      }
      if (current()) rc.timer = setTimeout(() => void tick(), 200);
    };
    rc.timer = setTimeout(() => void tick(), 0);
  }

  private view(): ContainerView[] {
    if (this.containers.length === 0) {
      return (this.pod.spec?.containers ?? []).map((c) => ({
        name: c.name, image: c.image ?? '', current: { state: 'waiting', reason: this.waiting?.reason ?? 'ContainerCreating' }, restartCount: 0, ready: false, started: false,
      }));
    }
    return this.containers.map((rc) => ({
      name: rc.spec.name, image: rc.spec.image ?? '', current: rc.process.current, lastTermination: rc.process.lastTermination,
      restartCount: rc.process.restartCount,
      ready: rc.process.current.state === 'running' && rc.readiness.passing,
      started: rc.process.current.state === 'running',
    }));
  }

  /** Writes status when it changed; writes are serialized and always send the latest state. */
  private writeStatus(): Promise<void> {
    this.writing = this.writing.then(async () => {
      if (this.stopped) return;
      const status = podStatus({ podIP: this.podIP, startTime: this.startTime, initialized: this.containers.length > 0, waiting: this.waiting, containers: this.view() });
      const json = JSON.stringify(status);
      if (json === this.lastWritten) return;
      try {
        await this.env.cluster.core.patchNamespacedPodStatus({ name: this.name, namespace: this.namespace, body: { status } }, MERGE_PATCH);
        this.lastWritten = json;
      } catch (err) {
        this.env.log.debug('pod status write failed', { namespace: this.namespace, pod: this.name, error: String(err) });
      }
    });
    return this.writing;
  }

  signal(sig: NodeJS.Signals): number {
    return this.containers.filter((rc) => rc.process.signal(sig)).length;
  }

  /** SIGKILLs every container; none restarts before `downForMs` has passed. */
  crash(downForMs: number): number {
    for (const rc of this.containers) rc.process.holdRestart(downForMs);
    return this.signal('SIGKILL');
  }

  /**
   * Stops every container as a kubelet does on a pod deletion: its preStop hook first (when
   * `preStop`), then its stop signal, SIGKILL once the grace period (hook included) is over.
   * Removes the pod's private files.
   */
  async stop(graceMs: number, options: { preStop?: boolean } = {}): Promise<void> {
    const deadline = Date.now() + graceMs;
    this.stopped = true;
    if (this.prepareTimer) clearTimeout(this.prepareTimer);
    if (this.tokenTimer) clearTimeout(this.tokenTimer);
    for (const rc of this.containers) if (rc.timer) clearTimeout(rc.timer);
    await Promise.all(this.containers.map(async (rc) => {
      if (options.preStop) await this.runPreStop(rc, graceMs);
      await rc.process.stop(Math.max(0, deadline - Date.now()));
    }));
    await this.writing;
    await rm(this.podDir, { recursive: true, force: true });
  }

  /** A running container's preStop hook (exec, httpGet or sleep), bounded by the grace period; a failure is logged. */
  private async runPreStop(rc: RunningContainer, graceMs: number): Promise<void> {
    const hook = rc.spec.lifecycle?.preStop;
    if (!hook || graceMs <= 0 || rc.process.current.state !== 'running') return;
    if (hook.sleep) {
      await new Promise((r) => setTimeout(r, Math.min(graceMs, hook.sleep!.seconds * 1000)));
      return;
    }
    const target = {
      podIP: this.podIP, container: rc.spec, env: rc.plan.env, cwd: rc.plan.cwd,
      translate: (a: string) => translatePathsIn(a, rc.mounts, this.rootfs),
    };
    const r = await runProbe({ exec: hook.exec, httpGet: hook.httpGet, timeoutSeconds: Math.max(1, Math.ceil(graceMs / 1000)) }, target);
    if (!r.ok) this.env.log.warn('preStop hook failed', { namespace: this.namespace, pod: this.name, container: rc.spec.name, reason: r.message });
  }

  /** The pid of each running container, for `sandbox kill|stop|cont` and tests. */
  pids(): Record<string, number | undefined> {
    return Object.fromEntries(this.containers.map((rc) => [rc.spec.name, rc.process.pid]));
  }

  restartCounts(): Record<string, number> {
    return Object.fromEntries(this.containers.map((rc) => [rc.spec.name, rc.process.restartCount]));
  }
}
