/** Which side of a rollout answers a request. */
export type VariantRole = 'current' | 'candidate';

/**
 * Deterministic traffic split by percent (smooth weighted round-robin, as
 * nginx balances upstreams): after n requests the candidate has answered
 * within one request of n × percent / 100, at any n, so a step's share is
 * exact over every 100 requests and never bursts. Random draws would only
 * match on average, which no test can hold a rollout to.
 */
export class TrafficSplit {
  private currentCredit = 0;
  private candidateCredit = 0;

  constructor(private percent: number) {
    this.setPercent(percent);
  }

  get candidatePercent(): number {
    return this.percent;
  }

  /** A new weight starts a fresh sequence (the shares of a step are the step's own). */
  setPercent(percent: number) {
    if (!(percent >= 0 && percent <= 100)) {
      throw new RangeError(`traffic percent must be 0–100, got ${percent}`);
    }
    this.percent = percent;
    this.currentCredit = 0;
    this.candidateCredit = 0;
  }

  next(): VariantRole {
    this.currentCredit += 100 - this.percent;
    this.candidateCredit += this.percent;
    // Ties go to the serving version: 0 % never reaches the candidate.
    if (this.candidateCredit > this.currentCredit) {
      this.candidateCredit -= 100;
      return 'candidate';
    }
    this.currentCredit -= 100;
    return 'current';
  }
}
