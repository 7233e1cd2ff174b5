/**
 * Writes through the app as a user would (POST /write via HAProxy), recording every acknowledged
 * row id and every failure, and how long the app saw writes fail around a failover. Shared by the
 * failover e2e test and bench/sandbox.ts.
 */
import mysql from 'mysql2/promise';

export interface WriteRecord {
  at: number;
  ok: boolean;
  id?: number;
  serverId?: number;
}

export class WriteLoad {
  readonly records: WriteRecord[] = [];
  private running = true;
  private done: Promise<void>;

  constructor(private readonly url: string, private readonly pauseMs = 20) {
    this.done = this.loop();
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const at = Date.now();
      try {
        const res = await fetch(`${this.url}write`, { method: 'POST', signal: AbortSignal.timeout(3000) });
        const body = await res.json() as { id?: number; server?: { serverId?: number | string } };
        this.records.push(res.status === 201 ? { at, ok: true, id: body.id, serverId: Number(body.server?.serverId) } : { at, ok: false });
      } catch {
        this.records.push({ at, ok: false });
      }
      await new Promise((r) => setTimeout(r, this.pauseMs));
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }

  acknowledged(): number[] {
    return this.records.filter((r) => r.ok && r.id !== undefined).map((r) => r.id!);
  }

  /** First failed write after `since` to the first successful write after it, in ms; undefined if none failed. */
  outageMs(since: number): number | undefined {
    const firstFail = this.records.find((r) => r.at >= since && !r.ok);
    if (!firstFail) return undefined;
    const recovered = this.records.find((r) => r.at > firstFail.at && r.ok);
    return recovered ? recovered.at - firstFail.at : undefined;
  }

  successAfter(since: number): WriteRecord | undefined {
    return this.records.find((r) => r.at > since && r.ok);
  }
}

/** Row ids in the app table on one instance, read with the admin account straight from its pod address, over TLS verified by the stack's CA. */
export async function rowIdsOn(host: string, credentials: { user: string; password: string; ca: string }, database: string): Promise<Set<number>> {
  const conn = await mysql.createConnection({ host, port: 3306, user: credentials.user, password: credentials.password, database, connectTimeout: 5000,
    ssl: { ca: credentials.ca, rejectUnauthorized: true } });
  try {
    const [rows] = await conn.query('SELECT id FROM visits');
    return new Set((rows as Array<{ id: number }>).map((r) => Number(r.id)));
  } finally {
    await conn.end();
  }
}

/** Acknowledged writes missing from the set of rows. */
export function lostWrites(acknowledged: number[], rows: Set<number>): number[] {
  return acknowledged.filter((id) => !rows.has(id));
}
