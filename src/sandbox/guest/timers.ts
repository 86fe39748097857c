// Timers are kept by the host, which runs them only while an invocation is active: between
// invocations they are frozen, as Lambda freezes the whole environment, and resume on the next.
import type { GuestEntries, HostCapabilities } from "../shared/guest-protocol.js";

class Timeout implements GuestTimeout {
  readonly #id: number;
  readonly #host: HostCapabilities;
  constructor(id: number, host: HostCapabilities) {
    this.#id = id;
    this.#host = host;
  }
  ref() {
    this.#host.timerRef(this.#id, true);
    return this;
  }
  unref() {
    this.#host.timerRef(this.#id, false);
    return this;
  }
  hasRef() {
    return this.#host.timerRef(this.#id, undefined);
  }
  refresh() {
    this.#host.timerRefresh(this.#id);
    return this;
  }
  [Symbol.toPrimitive]() {
    return this.#id;
  }
}

/** What the loop offers bundles beyond timers (builtins/messaging.ts), at this global symbol. */
export const EVENT_LOOP = Symbol.for("isolambda.eventLoop");

export interface EventLoop {
  /**
   * Runs `task` in the loop's next poll phase (after the immediates and due timers); one queued
   * while a poll task runs, right after it, unless `later`: then in the poll phase after.
   */
  poll(task: () => void, later: boolean): void;
  /** A handle that keeps the loop alive while it is referenced, as a listening MessagePort does in Node; it starts unreferenced. */
  hold(): LoopHold;
}

export interface LoopHold {
  ref(): void;
  unref(): void;
  hasRef(): boolean;
}

interface Entry {
  fn: TimerCallback;
  args: unknown[];
  repeat: boolean;
  delay: number;
}

/** `promised(name)` gives timers/promises' form of a timer, for util.promisify as Node has it. */
export function installTimers(
  host: HostCapabilities,
  reportUncaught: (error: unknown) => void,
  promised: (name: "setTimeout" | "setImmediate") => unknown,
): GuestEntries["fireTimer"] {
  const entries = new Map<number, Entry>();
  let nextId = 1;

  const schedule = (fn: unknown, ms: unknown, args: unknown[], repeat: boolean) => {
    if (typeof fn !== "function") throw new TypeError('The "callback" argument must be of type function');
    // Node's timers wait at least 1 ms; an immediate (ms null) runs as soon as the loop comes round.
    const delay = ms === null ? 0 : Number.isFinite(Number(ms)) ? Math.max(1, Number(ms)) : 1;
    const id = nextId++;
    entries.set(id, { fn: fn as TimerCallback, args, repeat, delay });
    host.timer(id, delay);
    return new Timeout(id, host);
  };
  const clear = (handle: unknown) => {
    const id = typeof handle === "object" && handle !== null ? Number(handle) : handle;
    if (typeof id === "number" && entries.delete(id)) host.clearTimer(id);
  };

  globalThis.setTimeout = (fn, ms, ...args) => schedule(fn, ms, args, false);
  globalThis.setInterval = (fn, ms, ...args) => schedule(fn, ms, args, true);
  globalThis.setImmediate = (fn, ...args) => schedule(fn, null, args, false);
  for (const name of ["setTimeout", "setImmediate"] as const) {
    Object.defineProperty(globalThis[name], Symbol.for("nodejs.util.promisify.custom"), { get: () => promised(name) });
  }
  const loop: EventLoop = {
    poll(task, later) {
      const id = nextId++;
      entries.set(id, { fn: task, args: [], repeat: false, delay: -1 });
      host.timer(id, later ? -2 : -1);
    },
    hold() {
      // A timer that never falls due: while it is set, it is referenced.
      const id = nextId++;
      let held = false;
      return {
        ref() {
          if (!held) host.timer(id, Number.POSITIVE_INFINITY);
          held = true;
        },
        unref() {
          if (held) host.clearTimer(id);
          held = false;
        },
        hasRef: () => held,
      };
    },
  };
  Object.defineProperty(globalThis, EVENT_LOOP, { value: loop });
  globalThis.clearTimeout = clear;
  globalThis.clearInterval = clear;
  globalThis.clearImmediate = clear;
  globalThis.queueMicrotask = (fn) => {
    if (typeof fn !== "function") throw new TypeError('The "callback" argument must be of type function');
    // A throwing microtask is an uncaught exception in Node (process.nextTick's too, which runs
    // here), not a rejected promise nobody sees: the invocation fails as Lambda's would.
    Promise.resolve().then(() => {
      try {
        fn();
      } catch (error) {
        reportUncaught(error);
      }
    });
  };

  return function fire(id) {
    const entry = entries.get(id);
    if (!entry) return;
    if (entry.repeat) host.timer(id, entry.delay);
    else entries.delete(id);
    try {
      entry.fn(...entry.args);
    } catch (error) {
      reportUncaught(error);
    }
  };
}
