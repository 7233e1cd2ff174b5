/**
 * Rebuilds of database instances through the agents in their pods: the target's agent fetches a
 * physical copy from the donor's agent (both by pod IP), prepares it and restarts its server on it.
 */
import type { AgentClient, AgentTarget } from '../../agent/client.js';
import { AGENT_PORT, type RestoreState } from '../../agent/protocol.js';
import type { InstanceRebuilder, RebuildProgress } from '../../mysql/ports.js';
import type { PodWatch } from './pod-watch.js';

export function rebuildProgress(state: RestoreState): RebuildProgress {
  switch (state.phase) {
    case 'idle': return { phase: 'idle' };
    case 'copying':
    case 'preparing':
    case 'ready': return { phase: state.phase, bytes: state.bytes };
    case 'restored': return { phase: 'restored', bytes: state.bytes, durationMs: state.durationMs, gtid: state.gtid };
    case 'failed': return { phase: 'failed', error: state.error };
  }
}

export class AgentRebuilder implements InstanceRebuilder {
  constructor(private readonly agents: AgentClient, private readonly pods: PodWatch, private readonly namespace: string) {}

  private agentOf(name: string): AgentTarget {
    const podIP = this.pods.pod(this.namespace, name)?.status?.podIP;
    if (!podIP) throw new Error(`${name}: the pod has no address`);
    return { host: podIP, port: AGENT_PORT };
  }

  async start(target: string, donor: string): Promise<void> {
    await this.agents.startRestore(this.agentOf(target), { donor: this.agentOf(donor) });
  }

  async progress(target: string): Promise<RebuildProgress> {
    return rebuildProgress(await this.agents.restoreState(this.agentOf(target)));
  }

  async finish(target: string): Promise<void> {
    await this.agents.forgetRestore(this.agentOf(target));
  }
}
