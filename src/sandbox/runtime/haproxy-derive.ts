/**
 * The sandbox runs the haproxy.cfg the operator rendered with three local adjustments, because
 * every pod of a cluster has its own network namespace and the sandbox's pods share one machine:
 *  - `bind :PORT` / `bind *:PORT` / `bind 0.0.0.0:PORT` become `bind <pod ip>:PORT`, so two
 *    haproxy pods don't collide on one port;
 *  - `parse-resolv-conf` (the pod's /etc/resolv.conf, i.e. cluster DNS) becomes a `nameserver`
 *    line for the sandbox DNS server; explicit nameservers are kept;
 *  - absolute paths (stats socket, certificates) go to the pod's directories.
 * Everything else, balance algorithm and server templates included, runs as rendered.
 */
import { translatePathsIn, type HostMount } from './mounts.js';

const ANY_ADDRESS = /^(\s*bind\s+)(?:\*|0\.0\.0\.0|::|\[::\]|ipv4@|ipv4@\*|ipv4@0\.0\.0\.0)?:(\d+)(.*)$/;

export function deriveHaproxyConfig(rendered: string, podIP: string, dns: string | undefined, mounts: HostMount[], rootfs: string): string {
  return rendered.split('\n').map((line) => {
    const bind = ANY_ADDRESS.exec(line);
    if (bind) return translatePathsIn(`${bind[1]}${podIP}:${bind[2]}${bind[3]}`, mounts, rootfs);
    if (/^\s*parse-resolv-conf\s*$/.test(line) && dns) return line.replace('parse-resolv-conf', `nameserver sandbox ${dns}`);
    if (/^\s*#/.test(line)) return line;
    return translatePathsIn(line, mounts, rootfs);
  }).join('\n');
}
