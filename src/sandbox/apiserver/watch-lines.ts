/**
 * The lines of one watch, written together once the events of this turn of the event loop are in,
 * as kube-apiserver flushes a watch only when no further event is waiting: a burst of writes reaches
 * each watcher in one socket write instead of one per event. A large burst (a watch-list's initial
 * events) is written every MAX_PENDING characters.
 */
import type { ServerResponse } from 'node:http';

const MAX_PENDING = 1 << 20;

export class WatchLines {
  private pending: string[] = [];
  private size = 0;
  private scheduled: NodeJS.Immediate | undefined;

  constructor(private readonly res: ServerResponse) {}

  write(line: string): void {
    this.pending.push(line);
    this.size += line.length;
    if (this.size >= MAX_PENDING) this.flush();
    else this.scheduled ??= setImmediate(() => this.flush());
  }

  /** Writes what is pending, then ends the response. */
  end(): void {
    this.flush();
    this.res.end();
  }

  private flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    const text = this.pending.join('');
    this.pending = [];
    this.size = 0;
    if (text && !this.res.destroyed) this.res.write(text);
  }
}
