/**
 * Pod addresses on a real control plane. The API server refuses loopback addresses in
 * EndpointSlices and Endpoints, so node-mode pods get addresses from 10.244.0.0/16, which one
 * `local` route makes as local as 127.0.0.0/8: every address in it can be bound on this host
 * without configuring it, as a CNI plugin would give each pod its own. The route is left in place
 * on close: another runtime on this machine may be using it, and it changes nothing else.
 */
import { execFileSync } from 'node:child_process';
import { POD_NETWORK } from './addresses.js';

export const NODE_POD_NETWORK = [10, 244] as const;
export const NODE_POD_CIDR = `${NODE_POD_NETWORK.join('.')}.0.0/16`;

export type PodNetwork = { network: readonly [number, number] } & ({ routed: true } | { routed: false; reason: string });

/** Routes the node's pod network to loopback; without the privilege, pods stay on loopback addresses. */
export function setUpPodNetwork(ip: string | undefined): PodNetwork {
  if (!ip) return { network: POD_NETWORK, routed: false, reason: 'the ip command (iproute2) is not installed' };
  try {
    execFileSync(ip, ['route', 'replace', 'local', NODE_POD_CIDR, 'dev', 'lo', 'table', 'local'], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
    return { network: NODE_POD_NETWORK, routed: true };
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    return { network: POD_NETWORK, routed: false, reason: `ip route replace local ${NODE_POD_CIDR} failed${stderr ? `: ${stderr}` : ''}` };
  }
}
