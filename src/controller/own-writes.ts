/**
 * The resourceVersions of the operator's own latest writes (applied children, status patches),
 * so that the watch event each write echoes back does not wake the stack again: the reconcile
 * that wrote it already knew what it wrote. A change by anyone else has another resourceVersion
 * and wakes it as always; the resync still reconciles everything.
 */
import { objectKey } from '../kube/resource-type.js';

interface Written { apiVersion: string; kind: string; metadata: { namespace?: string; name?: string; resourceVersion?: string } }

export class OwnWrites {
  private readonly versions = new Map<string, string>();

  /**
   * `cachedVersion`: the resourceVersion the cache holds now. When it is the written one, the echo has
   * already come (a watch may deliver before the write's response) or will never come (a write that
   * changed nothing): nothing is kept, or it would stay until the object is deleted.
   */
  written(o: Written, cachedVersion: string | undefined): void {
    const key = objectKey(o);
    if (!o.metadata.resourceVersion || o.metadata.resourceVersion === cachedVersion) this.versions.delete(key);
    else this.versions.set(key, o.metadata.resourceVersion);
  }

  /** True, once, for the watch event of our own latest write of `o`. */
  isEcho(o: Written): boolean {
    const key = objectKey(o);
    const mine = this.versions.get(key);
    if (mine === undefined) return false;
    if (o.metadata.resourceVersion === mine) {
      this.versions.delete(key);
      return true;
    }
    return false;
  }

  /** A deleted object's entry goes with it. */
  forget(o: Written): void {
    this.versions.delete(objectKey(o));
  }
}
