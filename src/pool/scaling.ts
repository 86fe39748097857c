/**
 * Lambda's concurrency scaling rate: each function may add at most 1,000 execution environments
 * every 10 seconds, refilled continuously and never banked beyond the 1,000. A token bucket per
 * function, one token per new on-demand environment; warm starts and provisioned environments
 * take none.
 */

export interface ScalingRate {
  /** New environments a function may add at once (the bucket's size). */
  environments: number;
  /** The time in which a spent bucket refills completely. */
  seconds: number;
}

export const LAMBDA_SCALING_RATE: ScalingRate = { environments: 1000, seconds: 10 };

/** A cold start refused because the function is scaling faster than its rate allows. */
export class ScalingThrottledError extends Error {
  override readonly name = "ScalingThrottledError";
  constructor(readonly functionName: string) {
    super(`${functionName} is adding execution environments faster than its scaling rate allows`);
  }
}

interface Bucket {
  tokens: number;
  at: number;
}

export class ScalingBudget {
  readonly #buckets = new Map<string, Bucket>();
  readonly #perMs: number;

  constructor(
    readonly rate: ScalingRate = LAMBDA_SCALING_RATE,
    private readonly now: () => number = performance.now.bind(performance),
  ) {
    this.#perMs = rate.environments / (rate.seconds * 1000);
  }

  /** A deleted function's bucket goes: a new function of the name starts with a full one, as in Lambda. */
  forget(functionName: string): void {
    this.#buckets.delete(functionName);
  }

  /** Spends one new environment for `functionName`, or throws ScalingThrottledError. */
  take(functionName: string): void {
    const now = this.now();
    const bucket = this.#buckets.get(functionName);
    const tokens =
      bucket === undefined ? this.rate.environments : Math.min(this.rate.environments, bucket.tokens + (now - bucket.at) * this.#perMs);
    if (tokens < 1) throw new ScalingThrottledError(functionName);
    this.#buckets.set(functionName, { tokens: tokens - 1, at: now });
  }
}
