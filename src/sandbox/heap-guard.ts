/**
 * Memory safety around QuickJS's wasm heap. The memory limit is enforced by measuring the heap. QuickJS's own limit bounds only single
 * allocations here: under Emscripten it cannot measure a block, so its running total never grows
 * (quickjs-emscripten#271).
 */
import type { QuickJSContext, QuickJSRuntime } from "quickjs-emscripten-core";

/**
 * Measuring the guest heap walks it (~35 ms for a million objects): between two measurements the
 * guest runs at least this many times as long as the last one took, and at least the minimum.
 */
const CHECK_COST_FACTOR = 10;
const CHECK_MIN_INTERVAL_MS = 10;

export class HeapGuard {
  /** Set at INIT from the function's MemorySize; a spare runtime has none. */
  limitBytes = Number.POSITIVE_INFINITY;
  #checkDue = 0;

  constructor(
    private readonly runtime: QuickJSRuntime,
    private readonly ctx: QuickJSContext,
    private readonly memory: WebAssembly.Memory,
  ) {}

  /** The QuickJS heap in use, measured by walking it (~0.1–0.2 ms for a small heap). */
  heapBytes(): number {
    using usage = this.runtime.computeMemoryUsage();
    using size = this.ctx.getProp(usage, "memory_used_size");
    return this.ctx.getNumber(size);
  }

  /** Whether the heap is over the limit; rate-limited, and free while the limit cannot be reached. */
  exceeded(): boolean {
    // No heap can outgrow the linear memory holding it: while that is within the limit, nothing to measure.
    if (this.memory.buffer.byteLength <= this.limitBytes) return false;
    const started = performance.now();
    if (started < this.#checkDue) return false;
    let used: number;
    try {
      used = this.heapBytes();
    } catch {
      return true;
    }
    this.#checkDue = started + Math.max(CHECK_MIN_INTERVAL_MS, (performance.now() - started) * CHECK_COST_FACTOR);
    return used > this.limitBytes;
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
