/** MemorySize for components: the maximum of every memory a core module defines. */
import { parse } from "@bytecodealliance/jco-transpile/wasm-tools";
import { describe, expect, it } from "vitest";
import { limitMemories, MemoryLimitError } from "../../../src/sandbox/component/memory-limit.js";

async function memoryOf(wat: string, maxPages: number): Promise<WebAssembly.Memory> {
  const module = await WebAssembly.compile(limitMemories(await parse(wat), maxPages));
  const instance = await WebAssembly.instantiate(module, {});
  return instance.exports.memory as WebAssembly.Memory;
}

describe("limitMemories", () => {
  it("gives a memory without a maximum the limit: growing past it fails", async () => {
    const memory = await memoryOf('(module (memory (export "memory") 1) (data (i32.const 0) "kept"))', 4);
    expect(memory.grow(3)).toBe(1);
    expect(() => memory.grow(1)).toThrow(RangeError);
    expect(new TextDecoder().decode(new Uint8Array(memory.buffer, 0, 4))).toBe("kept");
  });

  it("lowers a larger maximum and keeps a smaller one", async () => {
    const lowered = await memoryOf('(module (memory (export "memory") 1 65536))', 2);
    expect(() => lowered.grow(2)).toThrow(RangeError);
    const kept = await memoryOf('(module (memory (export "memory") 1 2))', 100);
    expect(() => kept.grow(2)).toThrow(RangeError);
  });

  it("leaves a module that defines no memory as it is", async () => {
    const bytes = await parse("(module (func))");
    expect(limitMemories(bytes, 1)).toBe(bytes);
  });

  it("refuses a memory whose initial size is already over the limit", async () => {
    const bytes = await parse("(module (memory 10))");
    expect(() => limitMemories(bytes, 5)).toThrow(MemoryLimitError);
  });
});
