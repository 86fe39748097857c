/**
 * Host work a guest starts on Node's thread pool (the callback forms of pbkdf2, scrypt and hkdf).
 * The pool is the server's too (shared/pool-threads.ts): a guest's job takes a place there first,
 * and an environment's jobs take one place at a time, so that one function's flood does not keep
 * the others' jobs waiting behind it. An environment's waiting jobs are at most MAX_WAITING_JOBS and
 * hold at most its memory in arguments; a disposed environment's waiting jobs are dropped.
 */
import { onPoolThread } from "../shared/pool-threads.js";
import { outOfRange } from "./native/guest-values.js";

export const MAX_WAITING_JOBS = 1024;

interface Job {
  bytes: number;
  start: () => Promise<Uint8Array>;
  settled: (error: unknown, result: Uint8Array | undefined) => void;
}

/** One environment's jobs. */
export class EnvironmentJobs {
  #busy = false;
  #disposed = false;
  readonly #waiting: Job[] = [];
  #waitingBytes = 0;

  constructor(readonly limitBytes: () => number) {}

  /**
   * Queues `start` (which starts the work and answers its promise), whose arguments hold `bytes`;
   * `settled` gets its result. Throws ERR_OUT_OF_RANGE past the environment's waiting bounds.
   */
  add(bytes: number, start: () => Promise<Uint8Array>, settled: (error: unknown, result: Uint8Array | undefined) => void): void {
    if (this.#waiting.length >= MAX_WAITING_JOBS) {
      throw outOfRange(`A function may have ${MAX_WAITING_JOBS} pbkdf2, scrypt or hkdf callbacks waiting for the host's threads`);
    }
    if (this.#waitingBytes + bytes > this.limitBytes()) {
      throw outOfRange(
        "The arguments of the pbkdf2, scrypt or hkdf callbacks waiting for the host's threads would pass the function's memory",
      );
    }
    this.#waitingBytes += bytes;
    this.#waiting.push({ bytes, start, settled });
    this.#next();
  }

  /** Hands the oldest waiting job to the pool's queue once the environment's previous one has ended. */
  #next(): void {
    if (this.#busy || this.#waiting.length === 0) return;
    this.#busy = true;
    onPoolThread((release) => {
      const job = this.#waiting.shift();
      if (this.#disposed || job === undefined) {
        release();
        return;
      }
      this.#waitingBytes -= job.bytes;
      let promise: Promise<Uint8Array>;
      try {
        promise = job.start();
      } catch (error) {
        promise = Promise.reject(error);
      }
      promise
        .then(
          (result) => job.settled(undefined, result),
          (error: unknown) => job.settled(error, undefined),
        )
        .finally(() => {
          release();
          this.#busy = false;
          this.#next();
        });
    });
  }

  /** Drops the waiting jobs; a running one ends on its thread, its answer dropped by the caller. */
  dispose(): void {
    this.#disposed = true;
    this.#waiting.length = 0;
    this.#waitingBytes = 0;
  }
}
