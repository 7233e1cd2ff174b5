/**
 * Carries out local-volumes.ts: creates the PersistentVolumes it plans, and deletes a released
 * volume with its directory (reclaim policy Delete). Runs only against a real control plane, whose
 * PV binder does the binding.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../log.js';
import { tolerate, type Cluster } from './cluster.js';
import { claimsToProvision, provisionedVolume, volumesToReclaim } from './local-volumes.js';
import { claimDir } from './pod-volumes.js';

export class VolumeProvisioner {
  constructor(private readonly cluster: Cluster, private readonly log: Logger, private readonly stateDir: string, private readonly nodeName: string) {}

  async sync(): Promise<void> {
    const volumes = this.cluster.volumes();
    for (const claim of claimsToProvision(this.cluster.claims(), volumes)) {
      const ns = claim.metadata?.namespace ?? 'default';
      const body = provisionedVolume(claim, this.nodeName, claimDir(this.stateDir, ns, claim.metadata?.name ?? ''));
      if (await tolerate(this.cluster.core.createPersistentVolume({ body }), 409)) {
        this.log.info('volume provisioned', { namespace: ns, claim: claim.metadata?.name, volume: body.metadata?.name });
      }
    }
    for (const volume of volumesToReclaim(volumes)) {
      const name = volume.metadata?.name ?? '';
      const dir = volume.spec?.hostPath?.path;
      // Only a directory this runtime made is removed, whatever a volume object says.
      if (dir && path.resolve(dir).startsWith(`${path.join(this.stateDir, 'volumes')}/`)) await rm(dir, { recursive: true, force: true });
      await tolerate(this.cluster.core.deletePersistentVolume({ name }), 404);
      this.log.info('volume reclaimed', { volume: name });
    }
  }
}
