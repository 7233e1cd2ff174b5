/**
 * The kubelet's side of node lifecycle: register the Node (or take over an existing one of the
 * same name), renew its Lease, and re-send its status now and then, so the node lifecycle
 * controller never marks it NotReady. Nothing is deleted on close: a stopped kubelet leaves its
 * Node behind, and the control plane notices the Lease expiring.
 */
import os from 'node:os';
import { readFileSync, statfsSync } from 'node:fs';
import { CoordinationV1Api, CoreV1Api, KubeConfig, VersionApi } from '@kubernetes/client-node';
import type { Logger } from '../../log.js';
import { MERGE_PATCH, httpStatus } from './cluster.js';
import {
  LEASE_RENEW_MS, NODE_LEASE_NAMESPACE, STATUS_REPORT_MS, nodeLease, nodeObject, nodeStatus, type NodeFacts,
} from './node-object.js';

export const RUNTIME_VERSION = 'webstack-sandbox://0.1.0';

function osImage(): string {
  try {
    return /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? 'Linux';
  } catch {
    return 'Linux';
  }
}

export async function nodeFacts(kc: KubeConfig, name: string, kubeletPort: number, stateDir: string): Promise<NodeFacts> {
  const version = await kc.makeApiClient(VersionApi).getCode();
  const disk = statfsSync(stateDir);
  return {
    name, kubeletPort, kubeletVersion: version.gitVersion,
    cpus: os.cpus().length, memoryBytes: os.totalmem(), ephemeralStorageBytes: disk.blocks * disk.bsize,
    arch: process.arch, kernelVersion: os.release(), osImage: osImage(), runtimeVersion: RUNTIME_VERSION,
  };
}

export class NodeAgent {
  private readonly core: CoreV1Api;
  private readonly coordination: CoordinationV1Api;
  private readonly since = new Date();
  private uid = '';
  private timers: NodeJS.Timeout[] = [];

  constructor(kc: KubeConfig, private readonly facts: NodeFacts, private readonly log: Logger) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.coordination = kc.makeApiClient(CoordinationV1Api);
  }

  /** Registers the Node and its Lease, then keeps both fresh until `close`. */
  async start(): Promise<void> {
    await this.register();
    await this.renewLease();
    const onError = (what: string) => (err: unknown) => this.log.warn(`node ${what} failed`, { node: this.facts.name, error: String(err).split('\n')[0], status: httpStatus(err) });
    this.timers.push(
      setInterval(() => void this.renewLease().catch(onError('lease renewal')), LEASE_RENEW_MS),
      setInterval(() => void this.reportStatus().catch(onError('status report')), STATUS_REPORT_MS),
    );
  }

  private async register(): Promise<void> {
    const body = nodeObject(this.facts, new Date());
    try {
      this.uid = (await this.core.createNode({ body })).metadata?.uid ?? '';
      this.log.info('node registered', { node: this.facts.name });
    } catch (err) {
      if (httpStatus(err) !== 409) throw err;
      // A Node left by an earlier run: it is ours again, with labels and status as they are now.
      const existing = await this.core.patchNode({ name: this.facts.name, body: { metadata: { labels: body.metadata?.labels } } }, MERGE_PATCH);
      this.uid = existing.metadata?.uid ?? '';
      await this.reportStatus();
    }
  }

  private async reportStatus(): Promise<void> {
    await this.core.patchNodeStatus({ name: this.facts.name, body: { status: nodeStatus(this.facts, new Date(), this.since) } }, MERGE_PATCH);
  }

  private async renewLease(): Promise<void> {
    const lease = nodeLease({ name: this.facts.name, uid: this.uid }, new Date());
    try {
      // A merge patch needs no resourceVersion: this node is the Lease's only writer.
      await this.coordination.patchNamespacedLease({ name: this.facts.name, namespace: NODE_LEASE_NAMESPACE, body: { spec: lease.spec } }, MERGE_PATCH);
    } catch (err) {
      if (httpStatus(err) !== 404) throw err;
      await this.coordination.createNamespacedLease({ namespace: NODE_LEASE_NAMESPACE, body: lease });
    }
  }

  /** Stops renewing; the Node and its Lease stay. */
  close(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }
}
