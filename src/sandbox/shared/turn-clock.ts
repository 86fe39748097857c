/**
 * What an executor is doing, shared with the main thread without a message: when its current guest
 * turn began, and which invocation it started last. Lambda gives every concurrent invocation its own
 * CPU share; here environments share executor threads, so the main thread reads this to keep new
 * work off an executor stuck in a long turn, and to take back the invocations queued behind it
 * before they start (and run elsewhere), without ever racing the worker for one. It also tells
 * whether the worker is inside a host call: host work (OpenSSL, zlib) cannot be interrupted, only
 * waited for, and is bounded (executor/native/work-bounds.ts).
 */

/**
 * Float64 [0]: epoch ms the turn began, 0 between turns. BigInt64 [1]: the start word (`claim`,
 * `takeBack`), never wrapping. Int32 at byte 16: how many host calls are under way (they nest when
 * a host call runs guest code).
 */
export const TURN_CLOCK_BYTES = 24;
const HOST_CALLS_AT = 16;

export function newTurnClock(): SharedArrayBuffer {
  return new SharedArrayBuffer(TURN_CLOCK_BYTES);
}

/** The worker's side: marks its turns and claims each invocation before starting it. */
export class TurnClockWriter {
  readonly #began: Float64Array;
  readonly #word: BigInt64Array;
  #depth = 0;
  /** Counted up and down around every host call by the guest's dispatcher (native/host-calls.ts). */
  readonly hostCalls: Int32Array;

  constructor(buffer: SharedArrayBuffer) {
    this.#began = new Float64Array(buffer, 0, 1);
    this.#word = new BigInt64Array(buffer, 8, 1);
    this.hostCalls = new Int32Array(buffer, HOST_CALLS_AT, 1);
  }

  /** A turn of guest code begins (nested turns count as the outer one); `end` follows it, in a finally. */
  begin(): void {
    if (this.#depth++ === 0) this.#began[0] = Date.now();
  }

  end(): void {
    if (--this.#depth === 0) this.#began[0] = 0;
  }

  /**
   * Claims invocation `invId` (increasing per executor) before it starts: false when the main thread
   * took it back. The word holds the last invocation started, or, negated, the highest taken back.
   */
  claim(invId: number): boolean {
    const id = BigInt(invId);
    for (;;) {
      const word = Atomics.load(this.#word, 0);
      if (word < 0n && id <= -word) return false;
      if (Atomics.compareExchange(this.#word, 0, word, id) === word) return true;
    }
  }
}

/** The main thread's side. */
export class TurnClockReader {
  readonly #began: Float64Array;
  readonly #word: BigInt64Array;
  readonly #hostCalls: Int32Array;

  constructor(buffer: SharedArrayBuffer) {
    this.#began = new Float64Array(buffer, 0, 1);
    this.#word = new BigInt64Array(buffer, 8, 1);
    this.#hostCalls = new Int32Array(buffer, HOST_CALLS_AT, 1);
  }

  /** Whether the worker is inside a host call now. */
  inHostCall(): boolean {
    return Atomics.load(this.#hostCalls, 0) > 0;
  }

  /** How long the current turn has run, 0 between turns. */
  turnMs(now = Date.now()): number {
    const began = this.#began[0] ?? 0;
    return began === 0 ? 0 : now - began;
  }

  /**
   * Takes back every invocation after the last one started, up to `highest`; returns the last one
   * started, below which nothing was taken back, or undefined when the worker started one meanwhile.
   */
  takeBack(highest: number): number | undefined {
    const word = Atomics.load(this.#word, 0);
    const started = Number(word < 0n ? -word : word);
    if (highest <= started) return started;
    return Atomics.compareExchange(this.#word, 0, word, -BigInt(highest)) === word ? started : undefined;
  }

  /** Whether invocation `invId`, not taken back, has started (it may have ended since). */
  started(invId: number): boolean {
    const word = Atomics.load(this.#word, 0);
    return BigInt(invId) <= (word < 0n ? -word : word);
  }
}
