/**
 * Host work a guest starts on Node's thread pool (the callback forms of pbkdf2, scrypt and hkdf).
 * The pool is the process's: 4 threads (UV_THREADPOOL_SIZE) shared with the server's own file and
 * DNS work, run in the order queued and never interrupted. A function that started 40 pbkdf2s of a
 * million rounds held the server's next readFile for 7 s. So a guest's job waits here for a place:
 * GUEST_POOL_THREADS in the whole process (counted in memory the executors share), one at a time
 * for each environment; and an environment's waiting jobs are at most MAX_WAITING_JOBS and hold at
 * most its memory in arguments. A disposed environment's waiting jobs are dropped.
 */
import { outOfRange } from "./native/guest-values.js";

const POOL_THREADS = Number(process.env.UV_THREADPOOL_SIZE) || 4;
/** The pool's threads the guests may hold together; the others stay the server's. */
export const GUEST_POOL_THREADS = Math.max(1, POOL_THREADS - 2);
export const MAX_WAITING_JOBS = 1024;

/** Guest jobs on the pool now, for the whole process (set by the worker from its link). */
let running = new Int32Array(new SharedArrayBuffer(4));

export function countPoolJobsIn(buffer: SharedArrayBuffer): void {
  running = new Int32Array(buffer);
}

function takeThread(): boolean {
  for (;;) {
    const now = Atomics.load(running, 0);
    if (now >= GUEST_POOL_THREADS) return false;
    if (Atomics.compareExchange(running, 0, now, now + 1) === now) return true;
  }
}

interface Job {
  owner: EnvironmentJobs;
  bytes: number;
  start: () => Promise<Uint8Array>;
  settled: (error: unknown, result: Uint8Array | undefined) => void;
}

/** Every environment's waiting jobs of this executor, oldest first. */
const waiting: Job[] = [];
/** Set while jobs wait for a thread another executor holds: nothing here says when it is given back. */
let retrying = false;
const RETRY_MS = 5;

function pump(): void {
  for (let i = 0; i < waiting.length; ) {
    const job = waiting[i] as Job;
    if (job.owner.busy) {
      i++;
      continue;
    }
    if (!takeThread()) {
      if (!retrying) {
        retrying = true;
        setTimeout(() => {
          retrying = false;
          pump();
        }, RETRY_MS);
      }
      return;
    }
    waiting.splice(i, 1);
    run(job);
  }
}

function run(job: Job): void {
  const { owner } = job;
  owner.busy = true;
  owner.waitingBytes -= job.bytes;
  owner.waitingJobs--;
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
      Atomics.sub(running, 0, 1);
      owner.busy = false;
      pump();
    });
}

/** One environment's jobs. */
export class EnvironmentJobs {
  busy = false;
  waitingJobs = 0;
  waitingBytes = 0;

  constructor(readonly limitBytes: () => number) {}

  /**
   * Queues `start` (which starts the work and answers its promise), whose arguments hold `bytes`;
   * `settled` gets its result. Throws ERR_OUT_OF_RANGE past the environment's waiting bounds.
   */
  add(bytes: number, start: () => Promise<Uint8Array>, settled: (error: unknown, result: Uint8Array | undefined) => void): void {
    if (this.waitingJobs >= MAX_WAITING_JOBS) {
      throw outOfRange(`A function may have ${MAX_WAITING_JOBS} pbkdf2, scrypt or hkdf callbacks waiting for the host's threads`);
    }
    if (this.waitingBytes + bytes > this.limitBytes()) {
      throw outOfRange(
        "The arguments of the pbkdf2, scrypt or hkdf callbacks waiting for the host's threads would pass the function's memory",
      );
    }
    this.waitingJobs++;
    this.waitingBytes += bytes;
    waiting.push({ owner: this, bytes, start, settled });
    pump();
  }

  /** Drops the waiting jobs; a running one ends on its thread, its answer dropped by the caller. */
  dispose(): void {
    for (let i = waiting.length - 1; i >= 0; i--) if (waiting[i]?.owner === this) waiting.splice(i, 1);
    this.waitingJobs = 0;
    this.waitingBytes = 0;
  }
}
