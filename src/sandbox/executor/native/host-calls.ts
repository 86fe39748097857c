/**
 * Guest calls of host functions without quickjs-emscripten's generic dispatcher. Per call, that
 * dispatcher runs a generator under a Scope (built for its asyncify builds, where a host function
 * may suspend the guest): ~4 µs of a call whose work is a few µs, so a native built-in's crossing
 * cost three times Node's whole small HMAC. The sync build never suspends; this does the same steps
 * directly: borrowed argument handles, the function, its result or error handed back, the argument
 * handles retired. Measured on one QuickJS context: an empty host call 4–5 µs → 0.2 µs, a small
 * HMAC's crossing 12.5 µs → 6.3 µs.
 *
 * It reads quickjs-emscripten's own fields (`cToHostCallbacks`, `ffi`, `memory`, `runtime`,
 * `getFunction`, `errorToHandle`), as src/sandbox/executor/quickjs-hot.ts does: the package is pinned to an
 * exact version, and every host function call in every test runs through here.
 */
import { Lifetime, type QuickJSContext, type QuickJSHandle, WeakLifetime } from "quickjs-emscripten-core";
import type { HostFunction } from "../guest-host.js";

interface ContextInternals {
  ctx: { value: number };
  runtime: unknown;
  ffi: {
    QTS_ArgvGetJSValueConstPointer(argv: number, index: number): number;
    QTS_DupValuePointer(ctx: number, value: number): number;
    QTS_Throw(ctx: number, error: number): number;
  };
  memory: { copyJSValue(pointer: number): number; freeJSValue(pointer: number): void };
  cToHostCallbacks: { callFunction(ctx: number, thisPointer: number, argc: number, argv: number, fnId: number): number };
  getFunction(fnId: number): HostFunction;
  errorToHandle(error: unknown): QuickJSHandle;
}

const installed = new WeakSet<QuickJSContext>();
/**
 * Host calls under way, shared with the main thread (shared/turn-clock.ts), whose watchdog waits for
 * host work it cannot interrupt instead of terminating the executor at a deadline.
 */
let hostCalls: Int32Array<ArrayBufferLike> = new Int32Array(1);

/** Counts this thread's host calls into `counter` from now on. */
export function countHostCallsIn(counter: Int32Array<ArrayBufferLike>): void {
  hostCalls = counter;
}

/** Makes `context`'s host functions answer through the direct path; idempotent. */
export function useDirectHostCalls(context: QuickJSContext): void {
  if (installed.has(context)) return;
  const internals = context as unknown as ContextInternals;
  const { ffi, memory, runtime } = internals;
  const callbacks = internals.cToHostCallbacks;
  if (typeof callbacks?.callFunction !== "function" || typeof ffi?.QTS_ArgvGetJSValueConstPointer !== "function") {
    throw new Error("quickjs-emscripten's internals are not as src/sandbox/executor/native/host-calls.ts expects");
  }
  installed.add(context);
  const ctx = internals.ctx.value;
  callbacks.callFunction = (calledCtx, _thisPointer, argc, argv, fnId) => {
    if (calledCtx !== ctx) throw new Error("QuickJSContext instance received C -> JS call with mismatched ctx");
    const fn = internals.getFunction(fnId);
    // Borrowed, as the generic dispatcher's are: the guest owns the values, retired after the call.
    const args = new Array<QuickJSHandle>(argc);
    for (let i = 0; i < argc; i++) {
      args[i] = new WeakLifetime(
        ffi.QTS_ArgvGetJSValueConstPointer(argv, i),
        memory.copyJSValue,
        memory.freeJSValue,
        runtime as never,
      ) as unknown as QuickJSHandle;
    }
    Atomics.add(hostCalls, 0, 1);
    try {
      const result = fn(...args);
      if (result === undefined) return 0;
      if ("error" in result && result.error) return thrown(result.error);
      const handle = result instanceof Lifetime ? result : (result as { value: QuickJSHandle }).value;
      try {
        return ffi.QTS_DupValuePointer(ctx, handle.value as unknown as number);
      } finally {
        handle.dispose();
      }
    } catch (error) {
      return thrown(error);
    } finally {
      Atomics.sub(hostCalls, 0, 1);
      for (const arg of args) arg.dispose();
    }
  };

  function thrown(error: unknown): number {
    const handle = internals.errorToHandle(error);
    try {
      return ffi.QTS_Throw(ctx, handle.value as unknown as number);
    } finally {
      handle.dispose();
    }
  }
}
