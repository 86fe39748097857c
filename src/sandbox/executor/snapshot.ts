/**
 * SnapStart's mechanism: a QuickJS runtime's whole state lives in its module instance's linear
 * memory, so an initialised environment is saved as the memory chunks that differ from a fresh
 * instance's, and restored by copying them into another fresh instance and wrapping the saved
 * runtime and context pointers again. The instance must hold that one runtime and nothing else.
 *
 * This relies on non-public fields of quickjs-emscripten-core 0.32.0 (pinned in package.json):
 * the module's ffi and callbacks, the runtime's host reference map, the context's handle memory.
 * Every such access is in this file, checked by `assertLibraryShape`, and covered by its tests.
 */
import { Lifetime, type QuickJSContext, type QuickJSHandle, QuickJSRuntime, type QuickJSWASMModule } from "quickjs-emscripten-core";
import { MAXIMUM_PAGES, WASM_PAGE_BYTES } from "./memory-gate.js";

/** Chunks compared and copied; the OS page size, so a restore faults in only the pages it writes. */
export const CHUNK_BYTES = 4096;
/** A WebAssembly page. */

type RuntimeArgs = ConstructorParameters<typeof QuickJSRuntime>[0];

interface ModuleInternals {
  module: RuntimeArgs["module"];
  ffi: RuntimeArgs["ffi"] & { QTS_FreeRuntime(rt: number): void };
  callbacks: RuntimeArgs["callbacks"] & { deleteRuntime(rt: number): void };
}
interface RuntimeInternals {
  rt: { value: number };
  context: QuickJSContext | undefined;
  hostRefs: { nextId: number; freelist: number[]; groups: Map<number, Map<number, object>> };
}
interface ContextInternals {
  ctx: { value: number };
  memory: { heapValueHandle(ptr: number): QuickJSHandle };
  _global?: QuickJSHandle;
  _BigInt?: QuickJSHandle;
  _Symbol?: QuickJSHandle;
  _SymbolIterator?: QuickJSHandle;
  _SymbolAsyncIterator?: QuickJSHandle;
}

const internalsOf = {
  module: (m: QuickJSWASMModule) => m as unknown as ModuleInternals,
  runtime: (r: QuickJSRuntime) => r as unknown as RuntimeInternals,
  context: (c: QuickJSContext) => c as unknown as ContextInternals,
};

/** Fails loudly if the library no longer has the fields this module relies on (a version bump). */
function assertLibraryShape(module: QuickJSWASMModule, runtime?: QuickJSRuntime, ctx?: QuickJSContext): void {
  const m = internalsOf.module(module);
  const ok =
    typeof m.ffi?.QTS_FreeRuntime === "function" &&
    typeof m.callbacks?.deleteRuntime === "function" &&
    (runtime === undefined ||
      (typeof internalsOf.runtime(runtime).rt?.value === "number" && internalsOf.runtime(runtime).hostRefs?.groups instanceof Map)) &&
    (ctx === undefined ||
      (typeof internalsOf.context(ctx).ctx?.value === "number" && typeof internalsOf.context(ctx).memory?.heapValueHandle === "function"));
  if (!ok) throw new Error("SnapStart: quickjs-emscripten-core's internals changed; snapshots need version 0.32.0");
}

/** A saved environment: the chunks of linear memory that differ from a fresh instance, and where things are in it. */
export interface MemorySnapshot {
  /** The linear memory's size when saved; a restore target has at least this much. */
  memoryBytes: number;
  runtimePointer: number;
  contextPointer: number;
  /** JSValue pointers of the handles kept alive across the snapshot, in the order given. */
  handles: number[];
  /** The runtime's host references (the host functions the guest holds), by name, and the allocator's state. */
  hostRefs: { nextId: number; freelist: number[]; names: Array<[number, string]> };
  /** Runs of changed bytes: offset and length pairs, their bytes one after another in `data`. */
  runs: number[];
  data: Uint8Array;
}

/** A fresh instance's memory, kept sparse: the chunks that are not all zeros. */
export class Baseline {
  readonly #chunks = new Map<number, Buffer>();

  constructor(fresh: WebAssembly.Memory) {
    const bytes = Buffer.from(fresh.buffer);
    for (let offset = 0; offset < bytes.byteLength; offset += CHUNK_BYTES) {
      const chunk = bytes.subarray(offset, offset + CHUNK_BYTES);
      if (!chunk.equals(ZERO_CHUNK)) this.#chunks.set(offset, Buffer.from(chunk));
    }
  }

  chunkAt(offset: number): Buffer {
    return this.#chunks.get(offset) ?? ZERO_CHUNK;
  }
}

const ZERO_CHUNK = Buffer.alloc(CHUNK_BYTES);

/**
 * Saves the environment made of `runtime` and `ctx`, the only runtime in `module`'s instance.
 * `handles` stay valid and are wrapped again at restore; every other handle must be disposed, the
 * interrupt handler removed, and every host function the guest holds named by `nameOf`.
 */
export function captureSnapshot(
  module: QuickJSWASMModule,
  runtime: QuickJSRuntime,
  ctx: QuickJSContext,
  handles: QuickJSHandle[],
  nameOf: (fn: object) => string | undefined,
  baseline: Baseline,
): MemorySnapshot {
  assertLibraryShape(module, runtime, ctx);
  const rt = internalsOf.runtime(runtime);
  const c = internalsOf.context(ctx);
  // Handles the library caches on its own would be unknown to the restored wrappers: leaked
  // values make the restored runtime's disposal abort.
  if (rt.context !== undefined) throw new Error("SnapStart: the runtime has a system context (computeMemoryUsage was called)");
  if (c._global || c._BigInt || c._Symbol || c._SymbolIterator || c._SymbolAsyncIterator) {
    throw new Error("SnapStart: the context caches a global handle");
  }
  const names: Array<[number, string]> = [];
  for (const group of rt.hostRefs.groups.values()) {
    for (const [id, value] of group) {
      const name = nameOf(value);
      if (name === undefined) throw new Error(`SnapStart: host reference ${id} is not a known host function`);
      names.push([id, name]);
    }
  }
  const memory = Buffer.from(module.getWasmMemory().buffer);
  const runs: Array<{ offset: number; length: number }> = [];
  const parts: Buffer[] = [];
  let size = 0;
  let run: { offset: number; length: number } | undefined;
  for (let offset = 0; offset < memory.byteLength; offset += CHUNK_BYTES) {
    const chunk = memory.subarray(offset, offset + CHUNK_BYTES);
    if (chunk.equals(baseline.chunkAt(offset))) continue;
    if (run !== undefined && run.offset + run.length === offset) run.length += CHUNK_BYTES;
    else {
      run = { offset, length: CHUNK_BYTES };
      runs.push(run);
    }
    parts.push(chunk);
    size += CHUNK_BYTES;
  }
  return {
    memoryBytes: memory.byteLength,
    runtimePointer: rt.rt.value,
    contextPointer: c.ctx.value,
    handles: handles.map((h) => h.value as unknown as number),
    hostRefs: { nextId: rt.hostRefs.nextId, freelist: [...rt.hostRefs.freelist], names },
    runs: runs.flatMap((r) => [r.offset, r.length]),
    data: new Uint8Array(Buffer.concat(parts, size)),
  };
}

/**
 * A linear memory sized for a restore. The restore target is made in it and the snapshot loaded
 * into it ahead of time (`loadSnapshot`), off the request path: copying into untouched pages costs
 * mostly page faults, ~0.65 ms per MB.
 */
export function restoreMemory(snapshot: Pick<MemorySnapshot, "memoryBytes">): WebAssembly.Memory {
  const pages = Math.ceil(snapshot.memoryBytes / WASM_PAGE_BYTES);
  return new WebAssembly.Memory({ initial: pages, maximum: MAXIMUM_PAGES });
}

/**
 * Copies `snapshot` into `module`, a fresh instance (no runtime ever made in it) whose memory is
 * at least the snapshot's size. After instantiation: the data segments and constructors would
 * otherwise overwrite what is copied. Nothing runs in the instance until `restoreSnapshot`.
 */
export function loadSnapshot(module: QuickJSWASMModule, snapshot: MemorySnapshot): void {
  const memory = new Uint8Array(module.getWasmMemory().buffer);
  if (memory.byteLength < snapshot.memoryBytes) throw new Error("SnapStart: the restore target's memory is smaller than the snapshot");
  let from = 0;
  for (let i = 0; i + 1 < snapshot.runs.length; i += 2) {
    const offset = snapshot.runs[i] ?? 0;
    const length = snapshot.runs[i + 1] ?? 0;
    memory.set(snapshot.data.subarray(from, from + length), offset);
    from += length;
  }
}

export interface Restored {
  runtime: QuickJSRuntime;
  ctx: QuickJSContext;
  handles: QuickJSHandle[];
}

/**
 * Wraps the runtime and context `snapshot` saved, in `module`, into which it was loaded
 * (`loadSnapshot`) and where nothing has run since. `functionsFor` gives the host functions, bound to the new context,
 * by the names they had when saved; no guest code runs before they are in place. The caller installs the interrupt handler and module loader.
 */
export function restoreSnapshot(
  module: QuickJSWASMModule,
  snapshot: MemorySnapshot,
  functionsFor: (ctx: QuickJSContext) => Readonly<Record<string, object>>,
  wrapContext: (runtime: QuickJSRuntime, contextPointer: number) => QuickJSContext,
): Restored {
  assertLibraryShape(module);
  const m = internalsOf.module(module);
  const rt = new Lifetime(snapshot.runtimePointer as RuntimeArgs["rt"]["value"], undefined, (pointer) => {
    // As QuickJSWASMModule.newRuntime's own disposer: finalizers may call back into the host first.
    m.ffi.QTS_FreeRuntime(pointer);
    m.callbacks.deleteRuntime(pointer);
  });
  const runtime = new QuickJSRuntime({ module: m.module, ffi: m.ffi, callbacks: m.callbacks, rt });
  const ctx = wrapContext(runtime, snapshot.contextPointer);
  const functions = functionsFor(ctx);
  const refs = internalsOf.runtime(runtime).hostRefs;
  // The guest's function objects carry their host reference ids: the same ids, new closures.
  for (const [id, name] of snapshot.hostRefs.names) {
    const fn = functions[name];
    if (fn === undefined) throw new Error(`SnapStart: no host function named ${name}`);
    const group = id >> 8;
    let members = refs.groups.get(group);
    if (members === undefined) {
      members = new Map();
      refs.groups.set(group, members);
    }
    members.set(id, fn);
  }
  refs.nextId = snapshot.hostRefs.nextId;
  refs.freelist = [...snapshot.hostRefs.freelist];
  const memoryOf = internalsOf.context(ctx).memory;
  const handles = snapshot.handles.map((pointer) => memoryOf.heapValueHandle(pointer));
  return { runtime, ctx, handles };
}

const MAGIC = 0x514a5353; // "QJSS"
const FORMAT_VERSION = 1;

/** The snapshot as bytes: magic, format version, header length, JSON header, memory data. */
export function encodeSnapshot(snapshot: MemorySnapshot): Buffer {
  const { data, ...header } = snapshot;
  const json = Buffer.from(JSON.stringify(header));
  const head = Buffer.alloc(12);
  head.writeUInt32LE(MAGIC, 0);
  head.writeUInt32LE(FORMAT_VERSION, 4);
  head.writeUInt32LE(json.byteLength, 8);
  return Buffer.concat([head, json, data]);
}

export function decodeSnapshot(bytes: Uint8Array): MemorySnapshot {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.byteLength < 12 || buffer.readUInt32LE(0) !== MAGIC || buffer.readUInt32LE(4) !== FORMAT_VERSION) {
    throw new Error("SnapStart: not a snapshot of this format");
  }
  const length = buffer.readUInt32LE(8);
  const header = JSON.parse(buffer.subarray(12, 12 + length).toString("utf8")) as Omit<MemorySnapshot, "data">;
  const data = new Uint8Array(buffer.buffer, buffer.byteOffset + 12 + length, buffer.byteLength - 12 - length);
  const expected = header.runs.reduce((sum, value, i) => (i % 2 === 1 ? sum + value : sum), 0);
  if (expected !== data.byteLength) throw new Error("SnapStart: truncated snapshot");
  return { ...header, data };
}
