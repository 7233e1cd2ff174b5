/**
 * Pod and Service addresses on a real control plane. The API server refuses loopback addresses in
 * EndpointSlices and Endpoints, and hands out cluster IPs from its own Service range, so node-mode
 * pods get addresses from 10.244.0.0/16 and Services keep the cluster IPs the API server gave
 * them (10.96.0.0/16): one `local` route each makes them as local as 127.0.0.0/8, so every address
 * in them can be bound on this host without configuring it, as a CNI plugin and kube-proxy would
 * make them answer. The routes are left in place on close: another runtime on this machine may be
 * using them, and they change nothing else.
 */
import { execFileSync } from 'node:child_process';
import { POD_NETWORK, SERVICE_NETWORK } from './addresses.js';

export const NODE_POD_NETWORK = [10, 244] as const;
export const NODE_POD_CIDR = `${NODE_POD_NETWORK.join('.')}.0.0/16`;
export const NODE_SERVICE_NETWORK = [10, 96] as const;
export const NODE_SERVICE_CIDR = `${NODE_SERVICE_NETWORK.join('.')}.0.0/16`;

export type LocalNetwork = { network: readonly [number, number] } & ({ routed: true } | { routed: false; reason: string });

/** Routes `network` (a /16) to loopback; without the privilege, `fallback` (a loopback /16) is used instead. */
function routeLocal(ip: string | undefined, network: readonly [number, number], fallback: readonly [number, number]): LocalNetwork {
  const cidr = `${network.join('.')}.0.0/16`;
  if (!ip) return { network: fallback, routed: false, reason: 'the ip command (iproute2) is not installed' };
  try {
    execFileSync(ip, ['route', 'replace', 'local', cidr, 'dev', 'lo', 'table', 'local'], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
    return { network, routed: true };
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    return { network: fallback, routed: false, reason: `ip route replace local ${cidr} failed${stderr ? `: ${stderr}` : ''}` };
  }
}

/** The node's pod network, routed to loopback; without the privilege, pods stay on loopback addresses. */
export const setUpPodNetwork = (ip: string | undefined): LocalNetwork => routeLocal(ip, NODE_POD_NETWORK, POD_NETWORK);

/** The API server's Service network, routed to loopback; without the privilege, Services answer on loopback addresses. */
export const setUpServiceNetwork = (ip: string | undefined): LocalNetwork => routeLocal(ip, NODE_SERVICE_NETWORK, SERVICE_NETWORK);
