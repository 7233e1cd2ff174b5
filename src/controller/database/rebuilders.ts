/**
 * Which rebuilder a stack's engine uses (the one InstanceRebuilder interface, two ways to copy):
 * MariaDB's go through the agents in the pods (mariadb-backup streamed agent to agent), so only
 * when the pods run them; MySQL 8.4's through SQL, the target cloning the donor with the clone plugin.
 */
import { isIP } from 'node:net';
import type { AgentClient } from '../../agent/client.js';
import { names } from '../../api/labels.js';
import type { DatabaseEngine } from '../../api/types.js';
import { CloneRebuilder } from '../../mysql/clone-rebuilder.js';
import type { InstanceAddress, InstanceRebuilder, ManagerCredentials } from '../../mysql/ports.js';
import { withSession } from '../../mysql/sql/session.js';
import type { DatabaseTimings } from '../../timings.js';
import { AgentRebuilder } from './agent-rebuilder.js';
import type { PodWatch } from './pod-watch.js';

export interface RebuilderParts {
  engine: DatabaseEngine;
  namespace: string;
  stack: string;
  credentials: ManagerCredentials;
  timings: Pick<DatabaseTimings, 'connectTimeoutMs' | 'queryTimeoutMs' | 'rebuildTimeoutMs'>;
  /** The stack's instances now. */
  instances: () => Promise<InstanceAddress[]>;
  /** The stack's CA bundle: instances serving TLS are verified against it. */
  caBundle: () => string | undefined;
  pods: PodWatch;
  /** Agent calls with a short deadline; absent: the pods run no agent. */
  agents?: AgentClient;
}

/**
 * The name a clone recipient dials its donor by: its pod IP, or in an IPv6 cluster the pod's DNS
 * name through the headless Service (the clone plugin takes no IPv6 address; the donor is ready, so listed).
 */
export function cloneDonorHost(donor: InstanceAddress, stack: string, namespace: string): string {
  return isIP(donor.host) === 6 ? `${donor.name}.${names.mysqlHeadless(stack)}.${namespace}.svc` : donor.host;
}

/** Undefined: this stack's instances can't be rebuilt (MariaDB without agents). */
export function rebuilderFor(parts: RebuilderParts): InstanceRebuilder | undefined {
  if (parts.engine === 'mysql') {
    const { credentials, timings } = parts;
    return new CloneRebuilder({
      instances: parts.instances,
      open: (addr, queryMs = timings.queryTimeoutMs) => (fn) => withSession(addr, credentials,
        { connectMs: timings.connectTimeoutMs, queryMs }, fn, parts.caBundle()),
      donorUser: credentials.adminUser,
      donorPassword: credentials.adminPassword,
      cloneTimeoutMs: timings.rebuildTimeoutMs,
      donorHost: (donor) => cloneDonorHost(donor, parts.stack, parts.namespace),
    });
  }
  return parts.agents ? new AgentRebuilder(parts.agents, parts.pods, parts.namespace) : undefined;
}
