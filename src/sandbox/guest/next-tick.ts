// process.nextTick's queue. Node runs the whole queue, with what its ticks queue meanwhile, before
// the promise jobs; here one promise job drains it, so a tick costs an array push instead of a
// promise job of its own (2.5 µs each in QuickJS, and streams queue a dozen ticks for one small
// HTTP exchange). Ticks run in the order queued, and one queued while the queue drains runs in the
// same drain, ahead of the promise jobs queued meanwhile, as in Node.

import { received } from "./host-values.js";

type Tick = (...args: unknown[]) => void;

export function createNextTick(): (fn: Tick, ...args: unknown[]) => void {
  // Callback and arguments (undefined for none), in pairs.
  const queue: unknown[] = [];
  let head = 0;
  const drain = () => {
    try {
      while (head < queue.length) {
        const fn = queue[head] as Tick;
        const args = queue[head + 1] as unknown[] | undefined;
        queue[head] = undefined;
        queue[head + 1] = undefined;
        head += 2;
        if (args === undefined) fn();
        else fn(...args);
      }
    } finally {
      // A tick that threw is reported by queueMicrotask's job (an uncaught exception); the rest run in the next one.
      if (head < queue.length) queueMicrotask(drain);
      else {
        queue.length = 0;
        head = 0;
      }
    }
  };
  return function nextTick(fn: Tick, ...args: unknown[]) {
    if (typeof fn !== "function")
      throw Object.assign(new TypeError(`The "callback" argument must be of type function. Received ${received(fn)}`), {
        code: "ERR_INVALID_ARG_TYPE",
      });
    if (queue.length === 0) queueMicrotask(drain);
    queue.push(fn, args.length === 0 ? undefined : args);
  };
}
