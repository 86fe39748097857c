/** The snapshot mechanism itself, on a bare QuickJS runtime: what SnapStart relies on in quickjs-emscripten-core. */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import releaseSync from "@jitl/quickjs-wasmfile-release-sync";
import {
  newQuickJSWASMModuleFromVariant,
  newVariant,
  type QuickJSContext,
  type QuickJSHandle,
  type QuickJSSyncVariant,
  type QuickJSWASMModule,
} from "quickjs-emscripten-core";
import { beforeAll, describe, expect, it } from "vitest";
import {
  Baseline,
  captureSnapshot,
  decodeSnapshot,
  encodeSnapshot,
  loadSnapshot,
  type MemorySnapshot,
  restoreMemory,
  restoreSnapshot,
} from "../../src/sandbox/executor/snapshot.js";

const VARIANT = releaseSync as unknown as QuickJSSyncVariant;
let wasmModule: WebAssembly.Module;
let baseline: Baseline;

async function fresh(wasmMemory?: WebAssembly.Memory): Promise<QuickJSWASMModule> {
  return newQuickJSWASMModuleFromVariant(newVariant(VARIANT, wasmMemory === undefined ? { wasmModule } : { wasmModule, wasmMemory }));
}

beforeAll(async () => {
  const path = createRequire(import.meta.url).resolve("@jitl/quickjs-wasmfile-release-sync/wasm");
  wasmModule = await WebAssembly.compile(await readFile(path));
  baseline = new Baseline((await fresh()).getWasmMemory());
});

/** A host function the guest holds, bound to whichever context serves it. */
const hostFunctions = (ctx: QuickJSContext, label: string) => ({
  tag: () => ctx.newString(label),
});

interface Saved {
  snapshot: MemorySnapshot;
  source: { module: QuickJSWASMModule; dispose(): void };
}

/** A runtime with globals, a host function and a live entry function, saved. */
async function saved(
  setup = "globalThis.counter = 0; globalThis.data = Array.from({ length: 20000 }, (_, i) => ({ i }));",
): Promise<Saved> {
  const module = await fresh();
  const runtime = module.newRuntime();
  const ctx = runtime.newContext();
  const functions = hostFunctions(ctx, "source");
  const names = new Map<object, string>(Object.entries(functions).map(([name, fn]) => [fn, name]));
  {
    using tag = ctx.newFunction("tag", functions.tag);
    using install = ctx.unwrapResult(ctx.evalCode("(tag) => { globalThis.tag = tag; }"));
    ctx.unwrapResult(ctx.callFunction(install, ctx.undefined, tag)).dispose();
  }
  ctx.unwrapResult(ctx.evalCode(setup)).dispose();
  const entry = ctx.unwrapResult(ctx.evalCode("(() => { counter += 1; return tag() + ':' + counter + ':' + data.length; })"));
  const snapshot = captureSnapshot(module, runtime, ctx, [entry], (fn) => names.get(fn), baseline);
  return {
    snapshot,
    source: {
      module,
      dispose: () => {
        entry.dispose();
        ctx.dispose();
        runtime.dispose();
      },
    },
  };
}

async function restored(
  snapshot: MemorySnapshot,
  label: string,
): Promise<{ module: QuickJSWASMModule; ctx: QuickJSContext; entry: QuickJSHandle; dispose(): void }> {
  const module = await fresh(restoreMemory(snapshot));
  loadSnapshot(module, snapshot);
  const { runtime, ctx, handles } = restoreSnapshot(
    module,
    snapshot,
    (c) => hostFunctions(c, label),
    (rt, pointer) => rt.newContext({ contextPointer: pointer as never }),
  );
  const entry = handles[0] as QuickJSHandle;
  return {
    module,
    ctx,
    entry,
    dispose: () => {
      entry.dispose();
      ctx.dispose();
      runtime.dispose();
    },
  };
}

const call = (env: { ctx: QuickJSContext; entry: QuickJSHandle }) => {
  using result = env.ctx.unwrapResult(env.ctx.callFunction(env.entry, env.ctx.undefined));
  return env.ctx.getString(result);
};

describe("memory snapshots of a QuickJS runtime", () => {
  it("a fresh instance in a memory prepared for a restore is byte for byte the baseline", async () => {
    const module = await fresh(restoreMemory({ memoryBytes: 32 * 1024 * 1024 }));
    const bytes = Buffer.from(module.getWasmMemory().buffer);
    for (let offset = 0; offset < bytes.byteLength; offset += 4096) {
      if (!bytes.subarray(offset, offset + 4096).equals(baseline.chunkAt(offset))) throw new Error(`chunk ${offset} differs`);
    }
  });

  it("restores independent environments whose host functions are bound anew, and which dispose cleanly", async () => {
    const { snapshot, source } = await saved();
    const a = await restored(snapshot, "a");
    const b = await restored(snapshot, "b");
    expect([call(a), call(a), call(b)]).toEqual(["a:1:20000", "a:2:20000", "b:1:20000"]);
    a.dispose();
    b.dispose();
    // The source is untouched by its restorations.
    expect(source.module.getWasmMemory().buffer.byteLength).toBe(snapshot.memoryBytes);
    source.dispose();
  });

  it("survives encoding, and growth of the restored memory past the snapshot's size", async () => {
    const { snapshot, source } = await saved();
    source.dispose();
    const copy = decodeSnapshot(encodeSnapshot(snapshot));
    expect(copy.data.byteLength).toBe(snapshot.data.byteLength);
    const env = await restored(copy, "copy");
    env.ctx.unwrapResult(env.ctx.evalCode("globalThis.more = Array.from({ length: 300000 }, (_, i) => ({ i })); 1")).dispose();
    expect(env.module.getWasmMemory().buffer.byteLength).toBeGreaterThan(copy.memoryBytes);
    expect(call(env)).toBe("copy:1:20000");
    env.dispose();
  });

  it("refuses a runtime whose context caches the global object: its handle would leak into every restore", async () => {
    const module = await fresh();
    const runtime = module.newRuntime();
    const ctx = runtime.newContext();
    ctx.setProp(ctx.global, "x", ctx.undefined);
    expect(() => captureSnapshot(module, runtime, ctx, [], () => undefined, baseline)).toThrow(/caches a global handle/);
    ctx.dispose();
    runtime.dispose();
  });

  it("refuses a host function it cannot name", async () => {
    const module = await fresh();
    const runtime = module.newRuntime();
    const ctx = runtime.newContext();
    const fn = ctx.newFunction("anonymous", () => undefined);
    expect(() => captureSnapshot(module, runtime, ctx, [fn], () => undefined, baseline)).toThrow(/not a known host function/);
    fn.dispose();
    ctx.dispose();
    runtime.dispose();
  });

  it("rejects bytes that are not a snapshot, or a truncated one", async () => {
    expect(() => decodeSnapshot(Buffer.from("not a snapshot at all"))).toThrow(/not a snapshot/);
    const { snapshot, source } = await saved("1");
    source.dispose();
    const bytes = encodeSnapshot(snapshot);
    expect(() => decodeSnapshot(bytes.subarray(0, bytes.byteLength - 1))).toThrow(/truncated/);
  });
});
