/**
 * Role labels on the database pods (`webstack.dev/role`), so the primary and replicas Services
 * follow the recorded primary. The wanted roles are remembered: a pod that comes back without its
 * label (recreated by the StatefulSet) is labelled again when its event arrives.
 */
import { LABEL_ROLE } from '../../api/labels.js';
import type { RoleLabel, RoleLabeler } from '../../mysql/ports.js';
import { isNotFound, type KubeClient } from '../../kube/client.js';
import { POD } from '../../kube/resource-type.js';
import type { PodWatch } from './pod-watch.js';

export class PodRoleLabeler implements RoleLabeler {
  private wanted: Record<string, RoleLabel | undefined> = {};

  constructor(private readonly client: KubeClient, private readonly pods: PodWatch, private readonly namespace: string) {}

  async setRoles(roles: Record<string, RoleLabel | undefined>): Promise<void> {
    this.wanted = { ...roles };
    await Promise.all(Object.keys(roles).map((name) => this.label(name)));
  }

  /** Brings one pod's label to the wanted role, if a role is wanted for it and it differs. */
  async label(name: string): Promise<void> {
    if (!(name in this.wanted)) return;
    const role = this.wanted[name];
    const current = this.pods.pod(this.namespace, name)?.metadata.labels?.[LABEL_ROLE];
    if ((current ?? undefined) === role) return;
    try {
      await this.client.mergePatch(POD, this.namespace, name, { metadata: { labels: { [LABEL_ROLE]: role ?? null } } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
