/**
 * A probe's verdict over time, as the kubelet keeps it: `failureThreshold` failures in a row flip a
 * passing probe, `successThreshold` successes in a row flip a failing one. Readiness starts failing;
 * liveness starts passing.
 */
export interface ProbeThresholds {
  successThreshold: number;
  failureThreshold: number;
}

export class ProbeState {
  private successes = 0;
  private failures = 0;
  passing: boolean;
  lastMessage = '';

  constructor(private readonly t: ProbeThresholds, initiallyPassing: boolean) {
    this.passing = initiallyPassing;
  }

  /** Records one result; returns true when the verdict changed. */
  record(ok: boolean, message = ''): boolean {
    this.lastMessage = message;
    if (ok) {
      this.successes++;
      this.failures = 0;
      if (!this.passing && this.successes >= this.t.successThreshold) {
        this.passing = true;
        return true;
      }
    } else {
      this.failures++;
      this.successes = 0;
      if (this.passing && this.failures >= this.t.failureThreshold) {
        this.passing = false;
        return true;
      }
    }
    return false;
  }

  reset(initiallyPassing: boolean): void {
    this.successes = 0;
    this.failures = 0;
    this.passing = initiallyPassing;
  }
}
