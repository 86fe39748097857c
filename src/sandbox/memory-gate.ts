/**
 * An environment's linear memory, held to its function's MemorySize where the host hands memory
 * out. QuickJS's own limit cannot count blocks under Emscripten (quickjs-emscripten#271: it sees
 * every block as 0 bytes), so a count inside the guest cannot hold the limit; the wasm memory can.
 * Every environment has an instance of its own (instances.ts), so what its memory holds is what
 * it keeps of the host, and a growth past the limit is refused at the allocation that asks for it.
 */

export const WASM_PAGE_BYTES = 65536;
/** The module's own bounds: Emscripten's INITIAL_MEMORY (16 MB) and its 2 GB maximum. */
const INITIAL_PAGES = 256;
export const MAXIMUM_PAGES = 32768;

export class MemoryGate {
  /** Set at INIT from the function's MemorySize; a spare runtime waiting for its function has none. */
  limitBytes = Number.POSITIVE_INFINITY;
  #refused = false;

  constructor(readonly memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES })) {
    const grow = memory.grow.bind(memory);
    // Emscripten's heap asks for ~20% more than it needs, then 10%, then 5% (at least what it
    // needs): a refusal counts only if no later, smaller ask of the same allocation is granted.
    memory.grow = (deltaPages: number) => {
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
