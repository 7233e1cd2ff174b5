/**
 * Kubernetes Events about an object, aggregated: the same event for the same object within the
 * dedupe window is counted in memory, not written again; after the window the existing Event's
 * count and lastTimestamp are patched. Messages are the caller's; they must never hold secrets.
 */
import type { Logger } from '../log.js';
import type { Clock } from '../clock.js';
import type { KubeClient } from './client.js';
import { DEFAULT_TIMINGS } from '../timings.js';
import { EVENT } from './resource-type.js';

export interface EventSubject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; uid?: string; resourceVersion?: string };
}

interface Seen {
  eventName: string;
  count: number;
  writtenCount: number;
  lastWrittenAt: number;
}

export class EventRecorder {
  private readonly seen = new Map<string, Seen>();

  constructor(private readonly client: KubeClient, private readonly component: string, private readonly host: string,
    private readonly clock: Clock, private readonly log: Logger, private readonly dedupeWindowMs = DEFAULT_TIMINGS.eventDedupeWindowMs) {}

  normal(subject: EventSubject, reason: string, message: string): Promise<void> {
    return this.record(subject, 'Normal', reason, message);
  }

  warning(subject: EventSubject, reason: string, message: string): Promise<void> {
    return this.record(subject, 'Warning', reason, message);
  }

  /** Events are best effort: a failure is logged, never fails the reconcile. */
  async record(subject: EventSubject, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    const key = [subject.metadata.uid, subject.metadata.namespace, subject.metadata.name, type, reason, message].join('\u0000');
    const now = this.clock.now();
    const prev = this.seen.get(key);
    const ns = subject.metadata.namespace ?? 'default';
    try {
      if (prev && now - prev.lastWrittenAt < this.dedupeWindowMs) {
        prev.count++;
        return;
      }
      const ts = new Date(now).toISOString();
      if (prev) {
        prev.count++;
        await this.client.mergePatch(EVENT, ns, prev.eventName, { count: prev.count, lastTimestamp: ts });
        prev.writtenCount = prev.count;
        prev.lastWrittenAt = now;
        // Kept in the order of their last write, so pruning stops at the first recent one.
        this.seen.delete(key);
        this.seen.set(key, prev);
        return;
      }
      const eventName = `${subject.metadata.name}.${now.toString(16)}${Math.floor(Math.random() * 0xfff).toString(16)}`;
      await this.client.create(EVENT, ns, {
        apiVersion: 'v1', kind: 'Event',
        metadata: { name: eventName, namespace: ns },
        involvedObject: {
          apiVersion: subject.apiVersion, kind: subject.kind, name: subject.metadata.name, namespace: ns,
          uid: subject.metadata.uid, resourceVersion: subject.metadata.resourceVersion,
        },
        type, reason, message,
        source: { component: this.component, host: this.host },
        reportingComponent: this.component, reportingInstance: this.host,
        firstTimestamp: ts, lastTimestamp: ts, count: 1,
      });
      this.seen.set(key, { eventName, count: 1, writtenCount: 1, lastWrittenAt: now });
      this.prune(now);
    } catch (err) {
      this.log.warn('could not record event', { namespace: ns, name: subject.metadata.name, reason,
        error: err instanceof Error ? err.message : String(err) });
    }
  }

  /**
   * Forget events far older than the window, so memory stays bounded over months of running. The
   * oldest come first: each write looks at no more entries than it forgets, plus one.
   */
  private prune(now: number): void {
    if (this.seen.size < 10_000) return;
    for (const [k, v] of this.seen) {
      if (now - v.lastWrittenAt <= 2 * this.dedupeWindowMs) return;
      this.seen.delete(k);
    }
  }
}
