/** Waiting for something a test can observe to happen, instead of waiting a fixed time for it. */

export interface WaitOptions {
  /** How long it may take before the test fails; 10 s unless told. */
  timeoutMs?: number;
  /** How often `condition` is asked again; 5 ms unless told (a condition that costs a request may ask less often). */
  intervalMs?: number;
}

/** What a truthy answer can be. */
type Truthy<T> = Exclude<T, false | 0 | "" | null | undefined>;

/**
 * Resolves with `condition`'s first truthy answer, asking it again every `intervalMs`; fails after
 * `timeoutMs` saying what never happened (`what` may be a function, to describe the last state seen).
 * An error `condition` throws fails the wait at once: it is the test's failure, not a "not yet".
 */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  what: string | (() => string),
  { timeoutMs = 10_000, intervalMs = 5 }: WaitOptions = {},
): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await condition();
    if (answer) return answer as Truthy<T>;
    if (Date.now() >= deadline) {
      throw new Error(`never happened within ${timeoutMs} ms: ${typeof what === "string" ? what : what()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
