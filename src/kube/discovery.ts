/**
 * Which optional kinds the API server serves (those of CRDs a cluster may lack: Gateway API routes,
 * cert-manager Certificates). One discovery request per group-version, remembered: a kind found
 * served stays so until `forget` (a request for it failed with 404); a kind not served is asked
 * about again once `recheckMs` has passed, so installing its CRD later is noticed.
 */
import type { Clock } from '../clock.js';
import { ApiError, type KubeClient } from './client.js';
import type { ResourceType } from './resource-type.js';

interface ApiResourceList {
  resources?: { name: string; kind: string }[];
}

interface Answer {
  /** Plural names of the group-version's resources; empty when it is not served. */
  plurals: Set<string>;
  at: number;
}

export class ServedKinds {
  private readonly answers = new Map<string, Answer>();
  private readonly asking = new Map<string, Promise<Answer>>();

  constructor(private readonly client: KubeClient, private readonly clock: Clock, private readonly recheckMs: number) {}

  /** True when the API server serves `t` (its group-version lists its plural). */
  async served(t: ResourceType): Promise<boolean> {
    const known = this.answers.get(t.apiVersion);
    const fresh = known && (known.plurals.has(t.plural) || this.clock.now() - known.at < this.recheckMs);
    const answer = fresh ? known : await this.ask(t.apiVersion);
    return answer.plurals.has(t.plural);
  }

  /** A request for a kind of `apiVersion` found it missing: ask again next time. */
  forget(apiVersion: string): void {
    this.answers.delete(apiVersion);
  }

  private ask(apiVersion: string): Promise<Answer> {
    let pending = this.asking.get(apiVersion);
    if (!pending) {
      pending = this.discover(apiVersion).finally(() => this.asking.delete(apiVersion));
      this.asking.set(apiVersion, pending);
    }
    return pending;
  }

  private async discover(apiVersion: string): Promise<Answer> {
    const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    let plurals = new Set<string>();
    try {
      const list = await this.client.discovery<ApiResourceList>(path);
      plurals = new Set((list.resources ?? []).map((r) => r.name));
    } catch (err) {
      // 404: the group-version is not served. Anything else is not an answer: the caller retries.
      if (!(err instanceof ApiError && err.code === 404)) throw err;
    }
    const answer = { plurals, at: this.clock.now() };
    this.answers.set(apiVersion, answer);
    return answer;
  }
}
