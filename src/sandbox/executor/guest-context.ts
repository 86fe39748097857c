/**
 * The guest runtime in one QuickJS runtime + context, booted from the bootstrap or restored from a
 * SnapStart snapshot: its entry points, called by name, the box it leaves its output in, and its
 * capture into a snapshot. What a call means for a phase (INIT, an invocation) is environment.ts's.
 */
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime, QuickJSWASMModule } from "quickjs-emscripten-core";
import type { GuestEntries } from "../shared/guest-protocol.js";
import { GUEST_STACK_BYTES } from "../shared/limits.js";
import { bootstrapScript, createHostObject, type HostFunction } from "./guest-host.js";
import { HotCalls } from "./quickjs-hot.js";
import { type Baseline, captureSnapshot, type MemorySnapshot, restoreSnapshot } from "./snapshot.js";

/** The guest's entry points (shared/guest-protocol.ts) and its output box. */
export type Entry = keyof GuestEntries;
/** The entry points the host calls. */
export type EntryPoint = Exclude<Entry, "output">;
/** The arguments of entry point `E`. */
export type EntryArgs<E extends EntryPoint> = Parameters<GuestEntries[E]>;
/** In this order in a snapshot's handles. */
const ENTRIES: Entry[] = [
  "configure",
  "init",
  "invoke",
  "beforeExit",
  "fireTimer",
  "fetchSettled",
  "exportNames",
  "beforeSnapshot",
  "afterRestore",
  "output",
  "workSettled",
];

/** How a guest comes to be: booted from the guest runtime, or restored from a SnapStart snapshot. */
export type Origin = { bootstrap: string } | { snapshot: MemorySnapshot };

export class GuestContext {
  readonly runtime: QuickJSRuntime;
  readonly ctx: QuickJSContext;
  readonly #hot: HotCalls;
  readonly #hostFunctions: Record<string, HostFunction>;
  readonly #entries = new Map<Entry, QuickJSHandle>();

  /**
   * A new runtime and context, or the restored ones with their entries. A booted guest has no
   * entries until `boot`, so that the caller can install its handlers (interrupts, modules) first.
   */
  constructor(module: QuickJSWASMModule, origin: Origin, bindHost: (ctx: QuickJSContext) => Record<string, HostFunction>) {
    if ("snapshot" in origin) {
      let functions: Record<string, HostFunction> | undefined;
      const restored = restoreSnapshot(
        module,
        origin.snapshot,
        (ctx: QuickJSContext) => {
          functions = bindHost(ctx);
          return functions;
        },
        (runtime, contextPointer) => runtime.newContext({ contextPointer: contextPointer as never }),
      );
      this.runtime = restored.runtime;
      this.ctx = restored.ctx;
      this.#hostFunctions = functions ?? {};
      ENTRIES.forEach((name, i) => {
        const handle = restored.handles[i];
        if (handle !== undefined) this.#entries.set(name, handle);
      });
    } else {
      this.runtime = module.newRuntime();
      this.runtime.setMaxStackSize(GUEST_STACK_BYTES);
      this.ctx = this.runtime.newContext();
      this.#hostFunctions = bindHost(this.ctx);
    }
    this.#hot = new HotCalls(this.ctx);
  }

  /** Evaluates the guest runtime and takes its entry points. */
  boot(bootstrap: string): void {
    const ctx = this.ctx;
    using host = createHostObject(ctx, this.#hostFunctions);
    using factory = ctx.unwrapResult(ctx.evalCode(bootstrapScript(bootstrap), "isolambda:bootstrap"));
    using api = ctx.unwrapResult(ctx.callFunction(factory, ctx.undefined, host));
    for (const name of ENTRIES) this.#entries.set(name, ctx.getProp(api, name));
  }

  entry(name: Entry): QuickJSHandle | undefined {
    return this.#entries.get(name);
  }

  /** Calls an entry point; the exception that escaped it, if any, as a handle the caller disposes. */
  call<E extends EntryPoint>(entry: E, args: EntryArgs<E>): QuickJSHandle | undefined {
    const ctx = this.ctx;
    const fn = this.#entries.get(entry);
    if (fn === undefined) throw new Error(`guest entry ${entry} missing`);
    if (args.length === 1 && typeof args[0] === "string") return this.#hot.callWithString(fn, args[0]);
    const handles = args.map((a) =>
      typeof a === "string"
        ? ctx.newString(a)
        : typeof a === "number"
          ? ctx.newNumber(a)
          : a === undefined
            ? ctx.undefined
            : ctx.newArrayBuffer(a),
    );
    try {
      const result = ctx.callFunction(fn, ctx.undefined, handles);
      if (!result.error) result.value.dispose();
      return result.error;
    } finally {
      for (const h of handles) h.dispose();
    }
  }

  /** Runs the queued promise jobs; the exception that stopped them, if any, as a handle the caller disposes. */
  executePendingJobs(): QuickJSHandle | undefined {
    return this.#hot.executePendingJobs();
  }

  /** What the guest left in its output box during the turn ("" for nothing); the box is emptied. */
  takeOutput(): string {
    const box = this.#entries.get("output");
    return box === undefined ? "" : this.#hot.takeValue(box);
  }

  /** The guest as a snapshot: its interrupt handler goes first (a restored guest installs its own). */
  capture(module: QuickJSWASMModule, baseline: Baseline): MemorySnapshot {
    this.runtime.removeInterruptHandler();
    const names = new Map<object, string>(Object.entries(this.#hostFunctions).map(([name, fn]) => [fn, name]));
    const handles = ENTRIES.map((name) => this.#entries.get(name) as QuickJSHandle);
    this.#hot.dispose();
    return captureSnapshot(module, this.runtime, this.ctx, handles, (fn) => names.get(fn), baseline);
  }

  dispose(): void {
    for (const handle of this.#entries.values()) handle.dispose();
    this.#entries.clear();
    this.#hot.dispose();
    this.ctx.dispose();
    this.runtime.dispose();
  }
}

/**
 * executePendingJobs reads the job's context through a view that wasm memory growth detaches, then
 * wraps the missing pointer in a brand-new context nothing frees, and freeing the runtime aborts
 * the module (quickjs-emscripten#240). An environment has one context: jobs can only run in it.
 */
export function pinJobContext(runtime: QuickJSRuntime, ctx: QuickJSContext): void {
  const newContext = runtime.newContext.bind(runtime);
  runtime.newContext = (options) =>
    options !== undefined && "contextPointer" in options && !options.contextPointer ? ctx : newContext(options);
}
