// node:timers/promises: the promise forms of the sandbox's own timers.

interface TimerOptions {
  signal?: GuestSignal;
  ref?: boolean;
}

const abortError = (signal: GuestSignal | undefined) =>
  Object.assign(new Error("The operation was aborted", { cause: signal?.reason }), { name: "AbortError", code: "ABORT_ERR" });

function delayed<T>(
  schedule: (fn: () => void) => GuestTimeout,
  clear: (handle: unknown) => void,
  value: T,
  options: TimerOptions = {},
): Promise<T> {
  const { signal, ref = true } = options;
  if (signal?.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      clear(handle);
      reject(abortError(signal));
    };
    const handle = schedule(() => {
      signal?.removeEventListener?.("abort", onAbort);
      resolve(value);
    });
    if (!ref) handle.unref?.();
    signal?.addEventListener?.("abort", onAbort, { once: true });
  });
}

export const setTimeout = <T = undefined>(delay?: unknown, value?: T, options?: TimerOptions): Promise<T> =>
  delayed((fn) => globalThis.setTimeout(fn, delay), globalThis.clearTimeout, value as T, options);

export const setImmediate = <T = undefined>(value?: T, options?: TimerOptions): Promise<T> =>
  delayed((fn) => globalThis.setImmediate(fn), globalThis.clearImmediate, value as T, options);

/** An async iterator yielding `value` every `delay` ms; ticks that fire while nobody awaits are counted. */
export async function* setInterval<T = undefined>(delay?: unknown, value?: T, options: TimerOptions = {}): AsyncGenerator<T | undefined> {
  const { signal } = options;
  if (signal?.aborted) throw abortError(signal);
  let pending = 0;
  let wake: (() => void) | undefined;
  const handle = globalThis.setInterval(() => {
    pending += 1;
    wake?.();
  }, delay);
  const onAbort = () => wake?.();
  signal?.addEventListener?.("abort", onAbort, { once: true });
  try {
    for (;;) {
      if (pending === 0) await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      if (signal?.aborted) throw abortError(signal);
      for (; pending > 0; pending -= 1) yield value;
    }
  } finally {
    globalThis.clearInterval(handle);
    signal?.removeEventListener?.("abort", onAbort);
  }
}

export const scheduler = {
  wait: (delay?: unknown, options?: TimerOptions) => setTimeout(delay, undefined, options),
  yield: () => setImmediate(),
};
