/**
 * MemorySize for a component: every memory a core module defines gets its maximum lowered to the
 * function's memory, so `memory.grow` past it fails inside the component (its allocator then traps)
 * instead of taking the executor's memory. Memories a module imports need no change: the memory
 * they are given is one of these. Rewrites the memory section of the binary; nothing else moves.
 */

export { WASM_PAGE_BYTES } from "../executor/memory-gate.js";

/** The memory's initial size alone is more than the function may use. */
export class MemoryLimitError extends Error {
  override readonly name = "MemoryLimitError";
}

const MEMORY_SECTION = 5;
/** Limits flags: bit 0 says a maximum follows (bit 1 shared, bit 2 64-bit indices, both kept). */
const HAS_MAX = 1;

class Reader {
  offset: number;
  constructor(
    readonly bytes: Uint8Array,
    offset: number,
  ) {
    this.offset = offset;
  }
  byte(): number {
    const b = this.bytes[this.offset++];
    if (b === undefined) throw new Error("truncated WebAssembly module");
    return b;
  }
  leb(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.byte();
      result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if ((b & 0x80) === 0) return result;
    }
  }
}

function leb(value: bigint): number[] {
  const out: number[] = [];
  let rest = value;
  do {
    let b = Number(rest & 0x7fn);
    rest >>= 7n;
    if (rest !== 0n) b |= 0x80;
    out.push(b);
  } while (rest !== 0n);
  return out;
}

/** `module` with each defined memory's maximum at most `maxPages`; the same bytes when it defines none. */
export function limitMemories(module: Uint8Array, maxPages: number): Uint8Array {
  const limit = BigInt(maxPages);
  const reader = new Reader(module, 8);
  while (reader.offset < module.length) {
    const sectionStart = reader.offset;
    const id = reader.byte();
    const size = Number(reader.leb());
    const contentStart = reader.offset;
    if (id !== MEMORY_SECTION) {
      reader.offset = contentStart + size;
      continue;
    }
    const count = reader.leb();
    const content: number[] = leb(count);
    for (let i = 0n; i < count; i++) {
      const flags = reader.byte();
      const min = reader.leb();
      const max = flags & HAS_MAX ? reader.leb() : undefined;
      if (min > limit) throw new MemoryLimitError(`the component's memory starts at ${min} pages, more than its ${limit}`);
      // A 64-bit memory's pages are the same 64 KiB: the limit applies unchanged.
      const newMax = max === undefined || max > limit ? limit : max;
      content.push(flags | HAS_MAX, ...leb(min), ...leb(newMax));
    }
    const section = [id, ...leb(BigInt(content.length)), ...content];
    const out = new Uint8Array(module.length - (contentStart + size - sectionStart) + section.length);
    out.set(module.subarray(0, sectionStart));
    out.set(section, sectionStart);
    out.set(module.subarray(contentStart + size), sectionStart + section.length);
    return out;
  }
  return module;
}
