/**
 * The resourceVersions of the operator's own latest writes (applied children, status patches),
 * so that the watch event each write echoes back does not wake the stack again: the reconcile
 * that wrote it already knew what it wrote. A change by anyone else has another resourceVersion
 * and wakes it as always; the resync still reconciles everything.
 *
 * A watch often delivers the echo before the write's response (at 1,000 new stacks, most of the
 * children's): an event of an object while a write of it is being sent is held, and when the
 * response comes it wakes the stack only if it was not that write's.
 */
import { objectKey } from '../kube/resource-type.js';

interface Written { apiVersion: string; kind: string; metadata: { namespace?: string; name?: string; resourceVersion?: string } }

interface Sending {
  writes: number;
  /** The versions watched while the write was on its way, and how to wake their stack. */
  held: { version: string; wake: () => void }[];
}

export class OwnWrites {
  private readonly versions = new Map<string, string>();
  private readonly sending = new Map<string, Sending>();

  /** A write of `o` is being sent; `written` or `notWritten` follows, whatever happens. */
  send(o: Written): void {
    const key = objectKey(o);
    const s = this.sending.get(key);
    if (s) s.writes++;
    else this.sending.set(key, { writes: 1, held: [] });
  }

  /**
   * The response of a write of `o`. `cachedVersion`: the resourceVersion the cache holds now. When it
   * is the written one, the echo has already come (held, or before `send`) or will never come (a write
   * that changed nothing): nothing is kept, or it would stay until the object is deleted. An event
   * held meanwhile that was not this write's wakes its stack now.
   */
  written(o: Written, cachedVersion: string | undefined): void {
    const key = objectKey(o);
    const version = o.metadata.resourceVersion;
    const held = this.settle(key);
    if (!version || version === cachedVersion || held.some((h) => h.version === version)) this.versions.delete(key);
    else this.versions.set(key, version);
    held.find((h) => h.version !== version)?.wake();
  }

  /** The write of `o` failed, or there was nothing to write: the events held for it are news. */
  notWritten(o: Written): void {
    this.settle(objectKey(o)).find(() => true)?.wake();
  }

  /**
   * True, once, for the watch event of our own latest write of `o`; true too for an event while a write
   * of `o` is being sent, held until its response, which calls `wake` if the event was not its echo.
   */
  isEcho(o: Written, wake: () => void): boolean {
    const key = objectKey(o);
    const mine = this.versions.get(key);
    if (mine !== undefined && o.metadata.resourceVersion === mine) {
      this.versions.delete(key);
      return true;
    }
    const s = this.sending.get(key);
    if (!s) return false;
    s.held.push({ version: o.metadata.resourceVersion ?? '', wake });
    return true;
  }

  /** A deleted object's entry goes with it. */
  forget(o: Written): void {
    this.versions.delete(objectKey(o));
  }

  /** One write of `key` answered: what was held for it. */
  private settle(key: string): Sending['held'] {
    const s = this.sending.get(key);
    if (!s) return [];
    const { held } = s;
    s.held = [];
    if (--s.writes === 0) this.sending.delete(key);
    return held;
  }
}
