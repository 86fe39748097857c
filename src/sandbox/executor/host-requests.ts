/**
 * What the host holds for an environment's outgoing requests (fetch and node:http): at most
 * MAX_ENVIRONMENT_REQUESTS of them at once, and MAX_EXECUTOR_REQUESTS of all its executor's
 * environments (the rest wait their turn, as Node's wait for a socket of a full pool), so that no
 * function can take the server's sockets; and their bodies, the request's as sent and the answer's
 * from its first byte until the guest has taken it, counted in the function's memory beside what
 * it holds itself (memory-gate.ts), so that no function can make the host hold more for it than
 * its MemorySize. A disposed environment's requests are aborted.
 */

/** A function's own concurrency (Lambda allows an environment 1,024 descriptors); more wait. */
export const MAX_ENVIRONMENT_REQUESTS = 64;
/** All of an executor's environments together: what one thread of the server opens at most. */
export const MAX_EXECUTOR_REQUESTS = 256;

/** Where the bytes are counted: the environment's memory gate. */
export interface RequestMemory {
  /** Takes `delta` bytes (gives them back when negative); false, and nothing taken, past the function's memory. */
  take(delta: number): boolean;
  /** What the function holds in all, requests' bytes included, and its MemorySize. */
  readonly used: number;
  readonly limitBytes: number;
}

/** A request's share of its environment's bytes: taken as its body goes out and its answer comes in. */
export interface Hold {
  /** Adds `bytes`; false (and nothing added) when they would pass the function's memory. */
  take(bytes: number): boolean;
  /** The bytes the environment's requests hold, what the function holds in all, and its memory: for an error's message. */
  held(): number;
  used(): number;
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

  constructor(readonly memory: () => RequestMemory) {}

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
        if (!this.memory().take(bytes)) return false;
        this.#held += bytes;
        taken += bytes;
        return true;
      },
      held: () => this.#held,
      used: () => this.memory().used,
      limit: () => this.memory().limitBytes,
    };
    const release = () => {
      this.memory().take(-taken);
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
