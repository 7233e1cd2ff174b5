/**
 * Loopback addresses for pods and Services. Linux routes all of 127.0.0.0/8 to `lo`, so every
 * pod and every Service can own an address of its own and bind the ports its spec asks for.
 */

export const POD_NETWORK = [127, 10] as const;
export const SERVICE_NETWORK = [127, 20] as const;

/** Hands out addresses from a /16 inside 127.0.0.0/8, stable per key until released. */
export class AddressPool {
  private readonly byKey = new Map<string, string>();
  private readonly inUse = new Set<string>();
  private next: number;

  /**
   * `start` is where allocation begins; a random start keeps two sandboxes (or two test files) on
   * one machine from handing out the same addresses.
   */
  constructor(private readonly network: readonly [number, number], start = 0) {
    this.next = start % (256 * 254);
  }

  allocate(key: string): string {
    const known = this.byKey.get(key);
    if (known) return known;
    // 254 usable hosts per third octet (.1 to .254): .0 and .255 look like network/broadcast addresses.
    const capacity = 256 * 254;
    for (let tries = 0; tries < capacity; tries++) {
      const n = this.next;
      this.next = (this.next + 1) % capacity;
      const ip = `${this.network[0]}.${this.network[1]}.${Math.floor(n / 254)}.${(n % 254) + 1}`;
      if (!this.inUse.has(ip)) {
        this.inUse.add(ip);
        this.byKey.set(key, ip);
        return ip;
      }
    }
    throw new Error(`address pool ${this.network.join('.')}.0.0/16 is exhausted`);
  }

  /** Remember an address chosen earlier (e.g. written to a Service before a restart). */
  reserve(key: string, ip: string): boolean {
    if (this.byKey.get(key) === ip) return true;
    if (!this.contains(ip) || this.inUse.has(ip)) return false;
    this.release(key);
    this.inUse.add(ip);
    this.byKey.set(key, ip);
    return true;
  }

  contains(ip: string): boolean {
    const parts = ip.split('.').map(Number);
    return parts.length === 4 && parts[0] === this.network[0] && parts[1] === this.network[1]
      && parts.every((p) => Number.isInteger(p) && p >= 0 && p <= 255);
  }

  get(key: string): string | undefined {
    return this.byKey.get(key);
  }

  release(key: string): void {
    const ip = this.byKey.get(key);
    if (!ip) return;
    this.byKey.delete(key);
    this.inUse.delete(ip);
  }
}
