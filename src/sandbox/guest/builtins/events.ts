// node:events: the `events` package's EventEmitter, with what Node added to it since (errorMonitor,
// events.on, getEventListeners, setMaxListeners, addAbortListener).
import EventEmitter from "events";

const errorMonitor = Symbol("events.errorMonitor");
const emit = EventEmitter.prototype.emit;
// Node: listeners on errorMonitor see an 'error' before the regular ones, and do not consume it.
EventEmitter.prototype.emit = function (this: EventEmitter, type: string | symbol, ...args: unknown[]) {
  if (type === "error" && this._events?.[errorMonitor] !== undefined) emit.call(this, errorMonitor, ...args);
  return emit.call(this, type, ...args);
};

const abortError = (signal: GuestSignal | undefined) =>
  Object.assign(new Error("The operation was aborted", { cause: signal?.reason }), { name: "AbortError", code: "ABORT_ERR" });

type Step = IteratorResult<unknown[], undefined>;

/** What events.on gives: each emission's arguments, until return() or an error. */
interface EventIterator extends AsyncIterableIterator<unknown[], undefined> {
  return(): Promise<Step>;
  throw(error: unknown): Promise<Step>;
}

/** An async iterator over `event`'s arguments arrays; an 'error' event rejects it. */
function on(emitter: EventEmitter, event: string | symbol, options: { signal?: GuestSignal } = {}): EventIterator {
  const { signal } = options;
  if (signal?.aborted) throw abortError(signal);
  const queued: Step[] = [];
  const waiting: { resolve(step: Step): void; reject(error: unknown): void }[] = [];
  let failure: unknown;
  let done = false;
  const settle = (result: Step) => {
    const next = waiting.shift();
    if (next) next.resolve(result);
    else queued.push(result);
  };
  const onEvent = (...args: unknown[]) => settle({ value: args, done: false });
  const onError = (error: unknown) => {
    failure = error;
    const next = waiting.shift();
    if (next) next.reject(error);
    iterator.return();
  };
  const onAbort = () => onError(abortError(signal));
  emitter.on(event, onEvent);
  if (event !== "error") emitter.on("error", onError);
  signal?.addEventListener?.("abort", onAbort, { once: true });
  const iterator: EventIterator = {
    next() {
      if (queued.length > 0) return Promise.resolve(queued.shift() as Step);
      if (failure !== undefined) {
        const error = failure;
        failure = undefined;
        return Promise.reject(error);
      }
      if (done) return Promise.resolve({ value: undefined, done: true });
      return new Promise<Step>((resolve, reject) => waiting.push({ resolve, reject }));
    },
    return(): Promise<Step> {
      done = true;
      emitter.removeListener(event, onEvent);
      emitter.removeListener("error", onError);
      signal?.removeEventListener?.("abort", onAbort);
      for (const next of waiting.splice(0)) next.resolve({ value: undefined, done: true });
      return Promise.resolve({ value: undefined, done: true });
    },
    throw(error: unknown) {
      onError(error);
      return Promise.reject(error);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return iterator;
}

EventEmitter.on = on;
EventEmitter.errorMonitor = errorMonitor;
EventEmitter.captureRejectionSymbol = Symbol.for("nodejs.rejection");
EventEmitter.getEventListeners = (emitter, name) => emitter.listeners(name);
EventEmitter.getMaxListeners = (emitter) => emitter.getMaxListeners();
EventEmitter.setMaxListeners = (n = 10, ...emitters) => {
  if (emitters.length === 0) EventEmitter.defaultMaxListeners = n;
  for (const emitter of emitters) emitter.setMaxListeners(n);
};
EventEmitter.listenerCount = (emitter, name) => emitter.listenerCount(name);
EventEmitter.addAbortListener = (signal, listener) => {
  if (signal?.aborted) queueMicrotask(() => listener());
  else signal.addEventListener("abort", listener, { once: true });
  const dispose = () => signal.removeEventListener("abort", listener);
  // Symbol.dispose is newer than the engine's ES2023.
  return { [(Symbol as { dispose?: symbol }).dispose ?? Symbol.for("nodejs.dispose")]: dispose };
};

export default EventEmitter;
