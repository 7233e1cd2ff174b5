/** The fence goes through the agent; only when it can't be reached is the pod deleted, with an Event. */
import { afterEach, describe, expect, it } from '@jest/globals';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AgentClient } from '../../../src/agent/client.js';
import { agentToken, AGENT_PATHS } from '../../../src/agent/protocol.js';
import { AgentFencer } from '../../../src/controller/database/agent-fencer.js';
import type { PodWatch } from '../../../src/controller/database/pod-watch.js';

const TOKEN = agentToken('pw');
let server: Server | undefined;
afterEach(() => { server?.close(); });

function podsAt(podIP: string | undefined): PodWatch {
  return { pod: () => ({ metadata: { name: 'shop-mysql-0', uid: 'u' }, status: podIP ? { podIP } : {} }) } as unknown as PodWatch;
}

function fencer(pods: PodWatch, port: number) {
  const deleted: string[] = [];
  const events: string[] = [];
  // The agent's port is fixed; the test points the client at its own server.
  const agents = new AgentClient({ token: TOKEN, timeoutMs: 1000 });
  const fence = agents.fence.bind(agents);
  agents.fence = (target) => fence({ ...target, port });
  const f = new AgentFencer(agents, pods, 'shop', { restart: async (name) => { deleted.push(name); } },
    { event: (type, reason, message) => events.push(`${type} ${reason}: ${message}`) });
  return { f, deleted, events };
}

describe('AgentFencer', () => {
  it('asks the agent to kill the server and leaves the pod', async () => {
    const calls: string[] = [];
    server = http.createServer((req, res) => {
      calls.push(`${req.method} ${req.url} ${req.headers.authorization === `Bearer ${TOKEN}`}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"killed":42}');
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { f, deleted, events } = fencer(podsAt('127.0.0.1'), (server.address() as AddressInfo).port);
    await f.restart('shop-mysql-0');
    expect(calls).toEqual([`POST ${AGENT_PATHS.fence} true`]);
    expect(deleted).toEqual([]);
    expect(events).toEqual([]);
  });

  it('deletes the pod, with a Warning that says why, when the agent is unreachable', async () => {
    const { f, deleted, events } = fencer(podsAt('127.0.0.1'), 1);
    await f.restart('shop-mysql-0');
    expect(deleted).toEqual(['shop-mysql-0']);
    expect(events).toEqual([expect.stringMatching(/^Warning FenceByPodDeletion: shop-mysql-0: the agent could not kill the server \(.*\); deleting the pod instead$/)]);
  });

  it('deletes the pod when it has no address yet', async () => {
    const { f, deleted } = fencer(podsAt(undefined), 1);
    await f.restart('shop-mysql-0');
    expect(deleted).toEqual(['shop-mysql-0']);
  });

  it('kill: the agent\'s SIGKILL alone; an unreachable agent is an error, never a pod deletion', async () => {
    const { f, deleted, events } = fencer(podsAt('127.0.0.1'), 1);
    await expect(f.kill('shop-mysql-0')).rejects.toThrow();
    await expect(fencer(podsAt(undefined), 1).f.kill('shop-mysql-0')).rejects.toThrow('shop-mysql-0: the pod has no address');
    expect(deleted).toEqual([]);
    expect(events).toEqual([]);
  });
});
