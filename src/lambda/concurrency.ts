/**
 * Lambda's concurrency model: a function with reserved concurrency N runs at most N invocations at
 * once; functions without a reservation share what the account limit leaves unreserved. An
 * invocation that finds no room is throttled with the Reason Lambda gives.
 */
import type { Registry } from "../registry/types.js";

export type ThrottleReason = "ReservedFunctionConcurrentInvocationLimitExceeded" | "ConcurrentInvocationLimitExceeded";

export interface ConcurrencyLimits {
  /** Lambda's default account quota: 1000 concurrent executions per Region. */
  accountConcurrency: number;
  /** Lambda keeps at least 100 of the account's concurrency unreserved. */
  unreservedMinimum: number;
}

export const DEFAULT_LIMITS: ConcurrencyLimits = { accountConcurrency: 1000, unreservedMinimum: 100 };

export type Admission = { release(): void } | { throttled: ThrottleReason };

export class ConcurrencyGate {
  readonly #inFlight = new Map<string, number>();
  #unreservedInFlight = 0;
  /** Reservations read from the registry, kept until `forget` (the API calls it on every change). */
  readonly #reserved = new Map<string, number | undefined>();
  #reservedTotal: number | undefined;

  constructor(
    private readonly registry: Registry,
    readonly limits: ConcurrencyLimits = DEFAULT_LIMITS,
  ) {}

  /** The most all reservations together may take (PutFunctionConcurrency's bound). */
  get reservableTotal(): number {
    return this.limits.accountConcurrency - this.limits.unreservedMinimum;
  }

  get unreservedConcurrency(): number {
    this.#reservedTotal ??= this.registry.reservedConcurrencyTotal();
    return this.limits.accountConcurrency - this.#reservedTotal;
  }

  /** Drops what the gate knows of reservations, after PutFunctionConcurrency and friends. */
  forget(): void {
    this.#reserved.clear();
    this.#reservedTotal = undefined;
  }

  #reservationOf(functionName: string): number | undefined {
    if (!this.#reserved.has(functionName)) this.#reserved.set(functionName, this.registry.getReservedConcurrency(functionName));
    return this.#reserved.get(functionName);
  }

  /** Invocations running now, in total and per function. */
  get concurrentExecutions(): number {
    let total = 0;
    for (const n of this.#inFlight.values()) total += n;
    return total;
  }

  /** Whether `admit` would let an invocation of `functionName` run now. */
  hasRoom(functionName: string): boolean {
    const reserved = this.#reservationOf(functionName);
    if (reserved !== undefined) return (this.#inFlight.get(functionName) ?? 0) < reserved;
    return this.#unreservedInFlight < this.unreservedConcurrency;
  }

  admit(functionName: string): Admission {
    const reserved = this.#reservationOf(functionName);
    const running = this.#inFlight.get(functionName) ?? 0;
    const unreserved = reserved === undefined;
    if (!unreserved && running >= reserved) return { throttled: "ReservedFunctionConcurrentInvocationLimitExceeded" };
    if (unreserved && this.#unreservedInFlight >= this.unreservedConcurrency) return { throttled: "ConcurrentInvocationLimitExceeded" };
    this.#inFlight.set(functionName, running + 1);
    if (unreserved) this.#unreservedInFlight += 1;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        const now = (this.#inFlight.get(functionName) ?? 1) - 1;
        if (now === 0) this.#inFlight.delete(functionName);
        else this.#inFlight.set(functionName, now);
        if (unreserved) this.#unreservedInFlight -= 1;
      },
    };
  }
}
