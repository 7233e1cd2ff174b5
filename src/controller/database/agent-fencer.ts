/**
 * The fence of a returning old primary through the agent in its pod: SIGKILL of the server, the
 * pod and its volume stay (a force-deleted pod can get a successor on the same volume while the old
 * process still runs). When the agent can't be reached, the pod is deleted instead, and an Event
 * says so. `kill` is the agent's SIGKILL alone, for a failover that can't wait for a fallback.
 */
import { AgentClient } from '../../agent/client.js';
import { AGENT_PORT } from '../../agent/protocol.js';
import type { EventSink, InstanceKiller, InstanceRestarter } from '../../mysql/ports.js';
import type { PodWatch } from './pod-watch.js';

export class AgentFencer implements InstanceRestarter, InstanceKiller {
  constructor(
    private readonly agents: AgentClient,
    private readonly pods: PodWatch,
    private readonly namespace: string,
    private readonly fallback: InstanceRestarter,
    private readonly events: EventSink,
  ) {}

  async kill(name: string): Promise<void> {
    const podIP = this.pods.pod(this.namespace, name)?.status?.podIP;
    if (!podIP) throw new Error(`${name}: the pod has no address`);
    await this.agents.fence({ host: podIP, port: AGENT_PORT });
  }

  async restart(name: string): Promise<void> {
    try {
      await this.kill(name);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      this.events.event('Warning', 'FenceByPodDeletion', `${name}: the agent could not kill the server (${why}); deleting the pod instead`);
      await this.fallback.restart(name);
    }
  }
}
