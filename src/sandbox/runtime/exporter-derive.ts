/**
 * The sandbox runs mysqld-exporter (Debian's prometheus-mysqld-exporter) with the my.cnf the
 * operator rendered and two local adjustments, because the sandbox's pods share one machine:
 *  - the files it names (ssl-ca, ssl-cert, ssl-key, socket) are read from the pod's directories;
 *  - `localhost`, which the exporter dials and the server certificate names, is the pod's own
 *    address: the process gets a private /etc/hosts saying so (a mount namespace, see
 *    mount-namespace.ts), as every pod of a cluster has its own loopback.
 * The account, the password and the TLS check run as rendered.
 */
import { translatePath, type HostMount } from './mounts.js';

const PATH_KEYS = new Set(['ssl-ca', 'ssl-cert', 'ssl-key', 'socket']);
const KEY_VALUE = /^(\s*)([A-Za-z_-]+)(\s*=\s*)(.*?)\s*$/;

export function deriveExporterConfig(rendered: string, mounts: HostMount[], rootfs: string): string {
  return rendered.split('\n').map((line) => {
    const m = KEY_VALUE.exec(line);
    if (!m || !PATH_KEYS.has(m[2].toLowerCase())) return line;
    return `${m[1]}${m[2]}${m[3]}${translatePath(m[4], mounts, rootfs)}`;
  }).join('\n');
}

/** The exporter's /etc/hosts: localhost is the pod. */
export function exporterHosts(podIP: string): string {
  return `${podIP} localhost\n`;
}
