/**
 * What the host holds for an environment's outgoing requests (fetch and node:http): at most
 * MAX_ENVIRONMENT_REQUESTS of them at once, and MAX_EXECUTOR_REQUESTS of all its executor's
 * environments (the rest wait their turn, as Node's wait for a socket of a full pool), so that no
 * function can take the server's sockets; and their bodies, the request's as sent and the answer's
 * from its first byte until the guest has taken it, within the function's memory, so that no
 * function can make the host hold more for it than it may hold itself. A disposed environment's
 * requests are aborted.
 */

/** A function's own concurrency (Lambda allows an environment 1,024 descriptors); more wait. */
export const MAX_ENVIRONMENT_REQUESTS = 64;
/** All of an executor's environments together: what one thread of the server opens at most. */
export const MAX_EXECUTOR_REQUESTS = 256;

/** A request's share of its environment's bytes: taken as its body goes out and its answer comes in. */
export interface Hold {
  /** Adds `bytes`; false (and nothing added) when they would pass the function's memory. */
  take(bytes: number): boolean;
  /** The bytes the environment's requests hold, and the most they may: for an error's message. */
  held(): number;
  limit(): number;
}

/** A counting gate: `enter` waits for a place, `leave` gives it to the first waiting. */
class Places {
  #used = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(readonly size: number) {}

  enter(): Promise<void> | undefined {
    if (this.#used < this.size) {
      this.#used++;
      return undefined;
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  leave(): void {
    const next = this.#waiting.shift();
    // A waiting request takes the place over; the count stays.
    if (next !== undefined) next();
    else this.#used--;
  }
}

const executorPlaces = new Places(MAX_EXECUTOR_REQUESTS);

export class HostRequests {
  readonly #places = new Places(MAX_ENVIRONMENT_REQUESTS);
  readonly #abort = new AbortController();
  #held = 0;

  constructor(readonly limitBytes: () => number) {}

  /** Aborts the requests under way and any that would start: the environment is gone. */
  dispose(): void {
    this.#abort.abort(new Error("the environment was disposed"));
  }

  /**
   * Runs `request` once its environment and executor have a place for it, with its hold and the
   * environment's abort signal. Answers its result and `release`, which gives its bytes back: call
   * it once the guest has what the request answered.
   */
  async run<T>(request: (hold: Hold, signal: AbortSignal) => Promise<T>): Promise<{ result: T; release: () => void }> {
    await this.#places.enter();
    await executorPlaces.enter();
    let taken = 0;
    const hold: Hold = {
      take: (bytes) => {
        if (this.#held + bytes > this.limitBytes()) return false;
        this.#held += bytes;
        taken += bytes;
        return true;
      },
      held: () => this.#held,
      limit: () => this.limitBytes(),
    };
    const release = () => {
      this.#held -= taken;
      taken = 0;
    };
    try {
      return { result: await request(hold, this.#abort.signal), release };
    } catch (error) {
      release();
      throw error;
    } finally {
      executorPlaces.leave();
      this.#places.leave();
    }
  }
}
