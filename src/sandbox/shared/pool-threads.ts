/**
 * The guests' share of Node's thread pool. The pool is the process's: 4 threads (UV_THREADPOOL_SIZE)
 * shared with the server's own file and DNS work, run in the order queued and never interrupted; a
 * function that started 40 pbkdf2s of a million rounds held the server's next readFile for 7 s, and
 * a lookup of a name no resolver answers holds a thread for the resolver's timeout (seconds). So the
 * work guests start there (crypto callbacks, the name lookups of their requests) takes a place here
 * first: GUEST_POOL_THREADS in the whole process, counted in memory the executors share.
 */

const POOL_THREADS = Number(process.env.UV_THREADPOOL_SIZE) || 4;
/** The pool's threads the guests may hold together; the others stay the server's. */
export const GUEST_POOL_THREADS = Math.max(1, POOL_THREADS - 2);

/** Guest work on the pool now, for the whole process (set by each executor from its link). */
let running = new Int32Array(new SharedArrayBuffer(4));

export function countPoolJobsIn(buffer: SharedArrayBuffer): void {
  running = new Int32Array(buffer);
}

/** Takes a place if one is free. */
export function takeThread(): boolean {
  for (;;) {
    const now = Atomics.load(running, 0);
    if (now >= GUEST_POOL_THREADS) return false;
    if (Atomics.compareExchange(running, 0, now, now + 1) === now) return true;
  }
}

export function giveThread(): void {
  Atomics.sub(running, 0, 1);
}

/** Set while work waits for a place another executor holds: nothing here says when it is given back. */
const RETRY_MS = 5;
const waiting: Array<() => void> = [];
let retrying = false;

function pump(): void {
  while (waiting.length > 0) {
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
    (waiting.shift() as () => void)();
  }
}

/**
 * Runs `start` once a place is free, oldest first; `start` calls the `release` it is given, once,
 * when its work on the pool has ended.
 */
export function onPoolThread(start: (release: () => void) => void): void {
  waiting.push(() => {
    let released = false;
    start(() => {
      if (released) return;
      released = true;
      giveThread();
      pump();
    });
  });
  pump();
}
