// node:timers/promises: the promise forms of the sandbox's own timers.

const abortError = (signal) =>
  Object.assign(new Error("The operation was aborted", { cause: signal?.reason }), { name: "AbortError", code: "ABORT_ERR" });

function delayed(schedule, clear, value, options = {}) {
  const { signal, ref = true } = options;
  if (signal?.aborted) return Promise.reject(abortError(signal));
  return new Promise((resolve, reject) => {
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

export const setTimeout = (delay, value, options) =>
  delayed((fn) => globalThis.setTimeout(fn, delay), globalThis.clearTimeout, value, options);

export const setImmediate = (value, options) => delayed((fn) => globalThis.setImmediate(fn), globalThis.clearImmediate, value, options);

/** An async iterator yielding `value` every `delay` ms; ticks that fire while nobody awaits are counted. */
export async function* setInterval(delay, value, options = {}) {
  const { signal } = options;
  if (signal?.aborted) throw abortError(signal);
  let pending = 0;
  let wake;
  const handle = globalThis.setInterval(() => {
    pending += 1;
    wake?.();
  }, delay);
  const onAbort = () => wake?.();
  signal?.addEventListener?.("abort", onAbort, { once: true });
  try {
    for (;;) {
      if (pending === 0) await new Promise((resolve) => (wake = resolve));
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
  wait: (delay, options) => setTimeout(delay, undefined, options),
  yield: () => setImmediate(),
};
