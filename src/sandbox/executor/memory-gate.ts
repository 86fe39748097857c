/**
 * An environment's linear memory, held to its function's MemorySize where the host hands memory
 * out. QuickJS's own limit cannot count blocks under Emscripten (quickjs-emscripten#271: it sees
 * every block as 0 bytes), so a count inside the guest cannot hold the limit; the wasm memory can.
 * Every environment has an instance of its own (instances.ts), so what its memory holds is what
 * it keeps of the host, and a growth past the limit is refused at the allocation that asks for it.
 * What the host holds for the guest outside that memory and for as long as the guest wants it
 * counts beside it: zlib's and brotli's stream state (one brotli stream may come to a gigabyte), the
 * keys in the environment's table, the bytes of its outgoing requests.
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
  /** A host hold was refused: the function ran out of memory, as Lambda's would be killed, whatever comes after. */
  #holdRefused = false;
  #heldByHost = 0;
  #peak = 0;

  constructor(readonly memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES })) {
    const grow = memory.grow.bind(memory);
    // Emscripten's heap asks for ~20% more than it needs, then 10%, then 5% (at least what it
    // needs): a refusal counts only if no later, smaller ask of the same allocation is granted.
    memory.grow = (deltaPages: number) => {
      MemoryGate.onGrow();
      if (this.used + deltaPages * WASM_PAGE_BYTES > this.limitBytes) {
        this.#refused = true;
        throw new RangeError("the function's MemorySize is reached");
      }
      const previous = grow(deltaPages);
      this.#refused = false;
      this.#notePeak();
      return previous;
    };
  }

  /**
   * Counts `delta` more bytes (or fewer, when negative) that the host holds for the guest. Past the
   * MemorySize with the linear memory, refuses: false, and the function has run out of memory.
   */
  hold(delta: number): boolean {
    if (this.take(delta)) return true;
    this.#holdRefused = true;
    return false;
  }

  /** As `hold`, but a refusal is the caller's to report (an answer too large for the function): false, nothing taken. */
  take(delta: number): boolean {
    if (delta > 0 && this.used + delta > this.limitBytes) return false;
    this.#heldByHost += delta;
    this.#notePeak();
    return true;
  }

  /** What the environment holds now: its linear memory and what the host holds for it. */
  get used(): number {
    return this.memory.buffer.byteLength + this.#heldByHost;
  }

  #notePeak(): void {
    this.#peak = Math.max(this.#peak, this.used);
  }

  /** The most the environment has held of the host's memory (its linear memory never shrinks): Lambda's Max Memory Used. */
  get bytes(): number {
    return Math.max(this.#peak, this.memory.buffer.byteLength);
  }

  /** The guest's latest allocation needed more than its MemorySize: it ran out of memory, whatever it made of the error. */
  get exhausted(): boolean {
    return this.#refused || this.#holdRefused;
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
