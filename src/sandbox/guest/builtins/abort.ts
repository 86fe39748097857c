// EventTarget and Event from `event-target-shim` (the WHATWG algorithms), and AbortController /
// AbortSignal on top of them with what Node's have (reason, throwIfAborted, abort, timeout, any), and
// CustomEvent.
// Streams, events.on and timers/promises cancel through them; Node makes them globals.
import { Event, EventTarget, getEventAttributeValue, setEventAttributeValue } from "event-target-shim";

// DOMExceptions, as Node's reasons are: the global loads its bundle at the first abort.
const abortError = () => new DOMException("This operation was aborted", "AbortError");
const timeoutError = () => new DOMException("The operation was aborted due to timeout", "TimeoutError");

const internal = Symbol("AbortSignal");
/** Aborts a signal: its controller's capability, kept out of the signal's public face. */
let abortSignal: (signal: AbortSignal, reason: unknown) => void;

type AbortHandler = Parameters<typeof setEventAttributeValue>[2];

class AbortSignal extends EventTarget {
  #aborted = false;
  #reason: unknown;
  constructor(token: symbol) {
    if (token !== internal) throw new TypeError("Illegal constructor");
    super();
  }
  get aborted() {
    return this.#aborted;
  }
  get reason() {
    return this.#reason;
  }
  get onabort() {
    return getEventAttributeValue(this, "abort");
  }
  set onabort(handler: AbortHandler) {
    setEventAttributeValue(this, "abort", handler);
  }
  throwIfAborted() {
    if (this.#aborted) throw this.#reason;
  }
  get [Symbol.toStringTag]() {
    return "AbortSignal";
  }
  static abort(reason: unknown = abortError()): AbortSignal {
    const signal = new AbortSignal(internal);
    signal.#abort(reason);
    return signal;
  }
  static timeout(ms: number): AbortSignal {
    const signal = new AbortSignal(internal);
    // Node's timeout signal does not keep the process alive; neither does it keep an invocation open.
    setTimeout(() => signal.#abort(timeoutError()), ms).unref?.();
    return signal;
  }
  static any(signals: AbortSignal[]): AbortSignal {
    const signal = new AbortSignal(internal);
    const aborted = signals.find((s) => s.aborted);
    if (aborted) {
      signal.#abort(aborted.reason);
      return signal;
    }
    for (const source of signals) source.addEventListener("abort", () => signal.#abort(source.reason), { once: true });
    return signal;
  }
  static {
    abortSignal = (signal, reason) => signal.#abort(reason);
  }
  #abort(reason: unknown) {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason === undefined ? abortError() : reason;
    this.dispatchEvent(new Event("abort"));
  }
}

/** Node's CustomEvent: an Event with the `detail` it was made with (null if none). */
class CustomEvent extends Event {
  #detail: unknown;
  constructor(...args: [type?: string, options?: { detail?: unknown; bubbles?: boolean; cancelable?: boolean; composed?: boolean }]) {
    if (args.length === 0) throw Object.assign(new TypeError('The "type" argument must be specified'), { code: "ERR_MISSING_ARGS" });
    const [type, options = {}] = args;
    super(type as string, options);
    this.#detail = options?.detail ?? null;
  }
  get detail() {
    return this.#detail;
  }
  get [Symbol.toStringTag]() {
    return "CustomEvent";
  }
}

// Node's takes (type, options = {}).
Object.defineProperty(CustomEvent, "length", { value: 1 });

class AbortController {
  #signal = new AbortSignal(internal);
  get signal() {
    return this.#signal;
  }
  abort(reason?: unknown) {
    abortSignal(this.#signal, reason);
  }
  get [Symbol.toStringTag]() {
    return "AbortController";
  }
}

// The attribute handlers (onmessage...) of the classes other bundles derive from EventTarget.
export { AbortController, AbortSignal, CustomEvent, Event, EventTarget, getEventAttributeValue, setEventAttributeValue };
