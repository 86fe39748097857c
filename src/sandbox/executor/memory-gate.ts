/**
 * An environment's linear memory, held to its function's MemorySize where the host hands memory
 * out. QuickJS's own limit cannot count blocks under Emscripten (quickjs-emscripten#271: it sees
 * every block as 0 bytes), so a count inside the guest cannot hold the limit; the wasm memory can.
 * Every environment has an instance of its own (instances.ts), so what its memory holds is what
 * it keeps of the host, and a growth past the limit is refused at the allocation that asks for it.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

export const WASM_PAGE_BYTES = 65536;
/** The module's own bounds: Emscripten's INITIAL_MEMORY (16 MB) and its 2 GB maximum. */
const INITIAL_PAGES = 256;
export const MAXIMUM_PAGES = 32768;

export class MemoryGate {
  /**
   * Called as a guest's memory grows, inside its turn (set by the worker): a turn that allocates in
   * large steps reaches QuickJS's interrupt check rarely, and this is the other moment to send what
   * other environments answered before it.
   */
  static onGrow: () => void = () => {};
  /** Set at INIT from the function's MemorySize; a spare runtime waiting for its function has none. */
  limitBytes = Number.POSITIVE_INFINITY;
  #refused = false;

  constructor(readonly memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES })) {
    const grow = memory.grow.bind(memory);
    // Emscripten's heap asks for ~20% more than it needs, then 10%, then 5% (at least what it
    // needs): a refusal counts only if no later, smaller ask of the same allocation is granted.
    memory.grow = (deltaPages: number) => {
      MemoryGate.onGrow();
      if (memory.buffer.byteLength + deltaPages * WASM_PAGE_BYTES > this.limitBytes) {
        this.#refused = true;
        throw new RangeError("the function's MemorySize is reached");
      }
      const previous = grow(deltaPages);
      this.#refused = false;
      return previous;
    };
  }

  /** What the environment holds of the host's memory: its linear memory never shrinks, so this is also its peak. */
  get bytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** The guest's latest allocation needed more than its MemorySize: it ran out of memory, whatever it made of the error. */
  get exhausted(): boolean {
    return this.#refused;
  }
}

/**
 * An instance's memory is freed only when V8 collects its WebAssembly.Memory, and V8 does not
 * count wasm memory as pressure: measured, six 512 MB environments that ran out of memory one after
 * another kept 1 GB of RSS for good. After an environment this large ends, a full collection gives
 * back all but the latest one (~600 MB then), which goes with the next.
 */
const COLLECT_AFTER_BYTES = 64 * 1024 * 1024;
let collect: (() => void) | undefined;
let collecting = false;

export function returnMemory(bytes: number): void {
  if (bytes < COLLECT_AFTER_BYTES || collecting) return;
  if (collect === undefined) {
    setFlagsFromString("--expose-gc");
    collect = runInNewContext("gc") as () => void;
  }
  collecting = true;
  // After the current batch of messages: the environment's last references go with it.
  setImmediate(() => {
    collecting = false;
    collect?.();
  });
}
