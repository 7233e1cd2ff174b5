/**
 * The fence of a returning old primary through the agent in its pod: SIGKILL of the server, the
 * pod and its volume stay (a force-deleted pod can get a successor on the same volume while the old
 * process still runs). When the agent can't be reached, the pod is deleted instead, and an Event
 * says so.
 */
import { AgentClient } from '../../agent/client.js';
import { AGENT_PORT } from '../../agent/protocol.js';
import type { EventSink, InstanceRestarter } from '../../mysql/ports.js';
import type { PodWatch } from './pod-watch.js';

export class AgentFencer implements InstanceRestarter {
  constructor(
    private readonly agents: AgentClient,
    private readonly pods: PodWatch,
    private readonly namespace: string,
    private readonly fallback: InstanceRestarter,
    private readonly events: EventSink,
  ) {}

  async restart(name: string): Promise<void> {
    const podIP = this.pods.pod(this.namespace, name)?.status?.podIP;
    try {
      if (!podIP) throw new Error('the pod has no address');
      await this.agents.fence({ host: podIP, port: AGENT_PORT });
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      this.events.event('Warning', 'FenceByPodDeletion', `${name}: the agent could not kill the server (${why}); deleting the pod instead`);
      await this.fallback.restart(name);
    }
  }
}
